#ifndef CSQLITEPROCESS_H
#define CSQLITEPROCESS_H

/// Configures the process's SQLite library for a process whose every SQLite connection is used
/// by one thread at a time (GRDB serializes each connection): the multi-thread mode (no mutex
/// per connection call) and no memory statistics (no global mutex per allocation).
///
/// Must run before SQLite is first used in the process (`sqlite3_config` is refused after
/// `sqlite3_initialize`, which the first connection calls). Only an executable may call it: the
/// settings are global, and a library's host may share a connection between threads.
///
/// Returns 1 when both settings took effect, 0 otherwise (SQLite already in use: nothing changed
/// that was not already so).
int iom_sqlite_configure_process(void);

#endif
