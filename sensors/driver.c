/* driver — the table of byte-stream protocol drivers. */
#include "driver.h"

#include "mr60bha1.h"
#include "mr60bha2.h"
#include "ti_vs.h"

#include <string.h>

const struct sensor_driver *const driver_table[] = {&ti_vs_driver, &mr60bha2_driver,
                                                    &mr60bha1_driver, NULL};

/* Driver by URI scheme. */
const struct sensor_driver *driver_find(const char *name)
{
    for (size_t i = 0; driver_table[i]; i++)
        if (!strcmp(driver_table[i]->name, name))
            return driver_table[i];
    return NULL;
}
