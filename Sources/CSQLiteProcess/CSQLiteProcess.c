#include "CSQLiteProcess.h"
#include <sqlite3.h>

int iom_sqlite_disable_memory_statistics(void) {
    // `sqlite3_config` is variadic, which Swift cannot call: hence this C target.
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
}
