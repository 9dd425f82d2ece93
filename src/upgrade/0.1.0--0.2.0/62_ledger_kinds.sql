-- The capture trigger function is granted to no group role any more
-- (0.1.0 granted it to ptx_admin): ptx.track attaches it through
-- ptx.ledger_attach, with the ledger's rights, for the table's owner.
REVOKE EXECUTE ON FUNCTION ptx.ledger_capture() FROM ptx_admin;
