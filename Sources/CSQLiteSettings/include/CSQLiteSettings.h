#ifndef CSQLITESETTINGS_H
#define CSQLITESETTINGS_H

/// Turns off SQLite's memory statistics for the whole process (SQLITE_CONFIG_MEMSTATUS = 0).
/// Returns SQLite's result code: SQLITE_OK, or SQLITE_MISUSE when SQLite was already
/// initialised (a connection was opened first), in which case nothing changed.
int rehearse_sqlite_turn_off_memory_statistics(void);

#endif
