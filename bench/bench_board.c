/*
 * bench_board — time to draw a full 32-bed board (and the 12-bed demo ward)
 * after an hour of simulated monitoring, into a terminal writing to
 * /dev/null. Prints microseconds per draw; no assertions.
 */
#include "board.h"
#include "config.h"
#include "loop.h"
#include "monitor.h"
#include "simulate.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    char dir[] = "/tmp/wwbboard.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    static const char *drivers[] = {"ti-vs", "mr60bha2", "mr60bha1"};
    static const enum scenario_kind scen[] = {SCEN_STABLE, SCEN_SEPSIS, SCEN_OPIOID, SCEN_AFIB};
    struct ward_config *cfg = malloc(sizeof *cfg);
    char err[512];
    int sizes[] = {32, 12};
    for (int k = 0; k < 2; k++) {
        config_defaults(cfg);
        int nbeds = sizes[k];
        for (int i = 0; i < nbeds; i++) {
            struct sim_spec sp = {.scenario = scen[i % 4], .seed = (uint64_t)i + 1, .seconds = 3600,
                                  .offset_s = 900.0 * (i % 4)};
            snprintf(sp.driver, sizeof sp.driver, "%s", drivers[i % 3]);
            snprintf(sp.label, sizeof sp.label, "Seng %d", i + 1);
            snprintf(cfg->beds[i].sensor, sizeof cfg->beds[i].sensor, "replay:%s/b%02d.wwrec", dir, i);
            if (simulate_write(&sp, cfg->beds[i].sensor + 7, err, sizeof err) < 0)
                return 1;
            cfg->beds[i].number = i + 1;
            cfg->beds[i].target = -1;
            snprintf(cfg->beds[i].label, sizeof cfg->beds[i].label, "Seng %d", i + 1);
        }
        cfg->nbeds = nbeds;
        struct loop *l = loop_new(false);
        struct monitor_opts mo = {.speed = 1};
        struct monitor *m = monitor_new(cfg, NULL, l, &mo, err, sizeof err);
        monitor_run_fast(m, 3600);
        double big = board_bench_draw(m, 60, 200, 2000);
        double small = board_bench_draw(m, 24, 80, 2000);
        printf("%d-bed board: %.0f us per full draw at 200x60, %.0f us at 80x24 (target < 2 ms)\n",
               nbeds, big, small);
        monitor_free(m);
        loop_free(l);
        for (int i = 0; i < nbeds; i++)
            unlink(cfg->beds[i].sensor + 7);
    }
    rmdir(dir);
    free(cfg);
    return 0;
}
