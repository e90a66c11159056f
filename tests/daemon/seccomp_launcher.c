// weft-seccomp-launcher: runs a program under the seccomp settings of weftd.service, for a test on
// machines where systemd is not PID 1 (hardened_unit_test.cpp).
//
//   weft-seccomp-launcher SYSCALLS FAMILIES -- PROGRAM [ARGS...]
//   weft-seccomp-launcher SYSCALLS FAMILIES --check
//
// SYSCALLS is a file of syscall names, one per line: the expansion of the unit's
// SystemCallFilter. Every other syscall fails with EPERM (SystemCallErrorNumber=EPERM). FAMILIES
// is the unit's RestrictAddressFamilies as a comma-separated list (AF_UNIX,AF_INET,AF_INET6):
// socket() with any other family fails with EAFNOSUPPORT, as systemd makes it. no_new_privs is
// set first (NoNewPrivileges=yes; also what lets an unprivileged process load a filter).
// --check loads the filter and checks that it bites: AF_NETLINK is refused, AF_INET is not.
// Exit 77 when this machine cannot load a filter (a container that forbids it), so that the test
// can say it was skipped and why.
#define _GNU_SOURCE  // strdup, and the AF_ constants of <sys/socket.h>
#include <errno.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kCannotFilter = 77, kMaxFamilies = 16 };

static int family_of(const char* name) {
    if (strcmp(name, "AF_UNIX") == 0) return AF_UNIX;
    if (strcmp(name, "AF_INET") == 0) return AF_INET;
    if (strcmp(name, "AF_INET6") == 0) return AF_INET6;
    if (strcmp(name, "AF_NETLINK") == 0) return AF_NETLINK;
    if (strcmp(name, "AF_PACKET") == 0) return AF_PACKET;
    return -1;
}

static int allowed(const int* families, int n, int family) {
    for (int i = 0; i < n; ++i)
        if (families[i] == family) return 1;
    return 0;
}

int main(int argc, char** argv) {
    if (argc < 4 || (strcmp(argv[3], "--check") != 0 && (strcmp(argv[3], "--") != 0 || argc < 5))) {
        fprintf(stderr, "usage: %s SYSCALLS FAMILIES -- PROGRAM [ARGS...] | --check\n", argv[0]);
        return 2;
    }
    int families[kMaxFamilies];
    int n_families = 0;
    char* list = strdup(argv[2]);
    for (char* name = strtok(list, ","); name; name = strtok(NULL, ",")) {
        const int family = family_of(name);
        if (family < 0 || n_families == kMaxFamilies) {
            fprintf(stderr, "%s: unknown address family '%s'\n", argv[0], name);
            return 2;
        }
        families[n_families++] = family;
    }
    free(list);

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        perror("prctl(PR_SET_NO_NEW_PRIVS)");
        return kCannotFilter;
    }
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!ctx) return kCannotFilter;
    const int socket_nr = seccomp_syscall_resolve_name("socket");
    FILE* in = fopen(argv[1], "r");
    if (!in) {
        perror(argv[1]);
        return 2;
    }
    char line[128];
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = '\0';
        const int nr = seccomp_syscall_resolve_name(line);
        // Names of other architectures do not resolve; socket() is allowed by family below.
        if (nr == __NR_SCMP_ERROR || nr == socket_nr) continue;
        if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) != 0) {
            fprintf(stderr, "%s: cannot allow %s\n", argv[0], line);
            return 2;
        }
    }
    fclose(in);
    // Every family up to AF_MAX: the allowed ones pass, the others get EAFNOSUPPORT.
    for (int family = 0; family < 64; ++family) {
        const struct scmp_arg_cmp is_family = {
            .arg = 0, .op = SCMP_CMP_EQ, .datum_a = (scmp_datum_t)family, .datum_b = 0};
        const uint32_t action =
            allowed(families, n_families, family) ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EAFNOSUPPORT);
        if (seccomp_rule_add_array(ctx, action, socket_nr, 1, &is_family) != 0) return 2;
    }
    if (seccomp_load(ctx) != 0) {
        fprintf(stderr, "%s: this machine cannot load a seccomp filter\n", argv[0]);
        return kCannotFilter;
    }
    seccomp_release(ctx);

    if (strcmp(argv[3], "--check") == 0) {
        const int netlink = socket(AF_NETLINK, SOCK_RAW, 0);
        const int netlink_errno = errno;
        const int inet = socket(AF_INET, SOCK_STREAM, 0);
        printf("AF_NETLINK: %s; AF_INET: %s\n", netlink < 0 ? strerror(netlink_errno) : "allowed",
               inet >= 0 ? "allowed" : strerror(errno));
        return netlink < 0 && netlink_errno == EAFNOSUPPORT && inet >= 0 ? 0 : 1;
    }
    execv(argv[4], argv + 4);
    perror(argv[4]);
    return 127;
}
