// Intentionally empty: CLinux only exposes headers; functions are added here when a macro needs wrapping.
#include "CLinux.h"
