#ifndef CSQLITEPROCESS_H
#define CSQLITEPROCESS_H

/// Turns off the SQLite library's memory statistics for this process (`SQLITE_CONFIG_MEMSTATUS`
/// 0): SQLite then takes no global mutex around each allocation and free, which every connection
/// of the process shares. (GRDB already opens each connection in multi-thread mode, without a
/// mutex per call: it uses a connection from one thread at a time.)
///
/// Must run before SQLite is first used in the process (`sqlite3_config` is refused after
/// `sqlite3_initialize`, which the first connection calls). Only an executable may call it: the
/// setting is global, and a library's host may want the statistics (`sqlite3_memory_used`).
///
/// Returns 1 when the statistics are off, 0 when SQLite was in use already (nothing changed).
int iom_sqlite_disable_memory_statistics(void);

#endif
