# Native language support of ptx's C messages (PostgreSQL's NLS): the
# catalog po/zh_CN.po, installed as ptx-<major>.mo.  `make init-po` writes
# po/ptx.pot from the sources; `make update-po` merges it into the catalog.
CATALOG_NAME     = ptx
# PostgreSQL 16 and later read the languages from po/LINGUAS
AVAIL_LANGUAGES  = zh_CN
GETTEXT_FILES    = $(sort $(wildcard src/*.c))
GETTEXT_TRIGGERS = $(BACKEND_COMMON_GETTEXT_TRIGGERS) GUC_check_errmsg GUC_check_errdetail GUC_check_errhint
GETTEXT_FLAGS    = $(BACKEND_COMMON_GETTEXT_FLAGS) GUC_check_errmsg:1:c-format GUC_check_errdetail:1:c-format GUC_check_errhint:1:c-format
