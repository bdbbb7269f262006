#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type csqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

// sqlite3_config is variadic, which Swift cannot call. Turns off SQLite's memory statistics, which
// take a process-wide mutex around every one of its allocations (about a dozen per lookup); valid
// only before SQLite initializes, SQLITE_MISUSE after.
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

// A 32-bit word of memory another process writes (SQLite's WAL index, mapped shared), read with
// acquire ordering: Swift has no atomic load of foreign memory.
static inline unsigned int csqlite_load_acquire_u32(const void *address) {
    return __atomic_load_n((const unsigned int *)address, __ATOMIC_ACQUIRE);
}
