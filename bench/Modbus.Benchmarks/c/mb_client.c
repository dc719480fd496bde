/* libmodbus reference client for the Modbus benchmarks: N sequential reads of COUNT holding registers,
 * one JSON line like `edgeagent probe` prints.
 * Build: gcc -O2 -o mb_client mb_client.c $(pkg-config --cflags --libs libmodbus)
 * Usage: mb_client HOST PORT N [COUNT]
 */
#include <modbus.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: mb_client HOST PORT N [COUNT]\n");
        return 2;
    }
    int n = atoi(argv[3]);
    int count = argc > 4 ? atoi(argv[4]) : 125;
    modbus_t *ctx = modbus_new_tcp(argv[1], atoi(argv[2]));
    if (ctx == NULL || modbus_connect(ctx) < 0) {
        fprintf(stderr, "mb_client: connect failed: %s\n", modbus_strerror(errno));
        return 1;
    }
    modbus_set_slave(ctx, 1);
    uint16_t regs[MODBUS_MAX_READ_REGISTERS];
    int errors = 0;
    modbus_read_registers(ctx, 0, count, regs); /* warm-up, not timed */
    double t0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < n; i++) {
        if (modbus_read_registers(ctx, 0, count, regs) != count) {
            errors++;
        }
    }
    double elapsed = seconds(CLOCK_MONOTONIC) - t0, cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
    printf("{\"client\":\"libmodbus\",\"requests\":%d,\"errors\":%d,\"rps\":%.1f,\"cpu_us_per_request\":%.2f}\n",
           n, errors, n / elapsed, cpu * 1e6 / n);
    modbus_close(ctx);
    modbus_free(ctx);
    return errors == 0 ? 0 : 1;
}
