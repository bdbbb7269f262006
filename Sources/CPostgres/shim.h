// libpq from Debian's libpq-dev; its headers live in their own directory.
#include <postgresql/libpq-fe.h>
