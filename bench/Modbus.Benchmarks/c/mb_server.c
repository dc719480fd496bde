/* Minimal libmodbus TCP server for the Modbus benchmarks: serves 1000 holding and input registers
 * (value = address) to one client at a time, until killed.
 * Build: gcc -O2 -o mb_server mb_server.c $(pkg-config --cflags --libs libmodbus)
 * Usage: mb_server PORT
 */
#include <modbus.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 1502;
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    modbus_mapping_t *map = modbus_mapping_new(1000, 1000, 1000, 1000);
    if (ctx == NULL || map == NULL) {
        fprintf(stderr, "mb_server: cannot allocate: %s\n", modbus_strerror(errno));
        return 1;
    }
    for (int i = 0; i < 1000; i++) {
        map->tab_registers[i] = (uint16_t)i;
        map->tab_input_registers[i] = (uint16_t)i;
    }
    int listener = modbus_tcp_listen(ctx, 4);
    if (listener < 0) {
        fprintf(stderr, "mb_server: listen on %d failed: %s\n", port, modbus_strerror(errno));
        return 1;
    }
    printf("listening %d\n", port);
    fflush(stdout);
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    for (;;) {
        if (modbus_tcp_accept(ctx, &listener) < 0) {
            continue;
        }
        /* Answers to pipelined requests must not wait for the client's delayed ACK (Nagle). */
        int one = 1;
        setsockopt(modbus_get_socket(ctx), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        for (;;) {
            /* modbus_receive reads exactly one request, so pipelined requests wait in the socket buffer. */
            int n = modbus_receive(ctx, query);
            if (n > 0) {
                modbus_reply(ctx, query, n, map);
            } else if (n < 0) {
                break; /* client closed or sent garbage: wait for the next one */
            }
        }
        modbus_close(ctx);
    }
}
