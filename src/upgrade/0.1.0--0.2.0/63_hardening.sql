-- EXECUTE on the functions of ptx_seal (and ptx_private) was left to
-- PUBLIC by 0.1.0 (the schemas were closed, the functions not).
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ptx_seal FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ptx_private FROM PUBLIC;
