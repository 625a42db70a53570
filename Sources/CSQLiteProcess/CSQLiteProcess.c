#include "CSQLiteProcess.h"
#include <sqlite3.h>

int iom_sqlite_configure_process(void) {
    // `sqlite3_config` is variadic, which Swift cannot call: hence this C target.
    int memoryStatistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    int multiThread = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    return memoryStatistics == SQLITE_OK && multiThread == SQLITE_OK;
}
