#include <sqlite3.h>
#include "CSQLiteSettings.h"

// sqlite3_config is variadic, which Swift cannot call: this is the one reason for a C target.
//
// With memory statistics on (SQLite's default), every sqlite3_malloc and sqlite3_free takes one
// process-wide mutex to keep the counters behind sqlite3_memory_used(). `rehearse explore`
// plays histories on every core, each on its own in-memory connection, and that mutex was the
// one they all waited on (perf: pthread_mutex_lock under sqlite3Malloc). Nothing here reads the
// counters or sets a soft heap limit, which is all they are for.
// https://www.sqlite.org/c3ref/c_config_covering_index_scan.html#sqliteconfigmemstatus
int rehearse_sqlite_turn_off_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
