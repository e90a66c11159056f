// The fatal-signal handler: when weftd dies of SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGABRT, one
// line on stderr (which journald takes under systemd) names the plugin and the task, job or hook
// the crashing thread ran (crash_site.hpp), the signal and the faulting address:
//
//   weftd: fatal signal SIGSEGV (address 0x0) in plugin 'crasher' (task, code at
//   misbehaving.so+0x1239), thread 4242
//
// or, for a crash outside plugin code, "... on thread 4242, outside plugin code". When a crash
// record is open (crash_record.hpp) and the crash is a plugin's, the handler appends one line
// to it, so that the next start can quarantine a plugin that crashes weftd in a loop. Then it
// restores the default action, unblocks the signal and sends it to its own thread: the process
// dies of it there and then, with a core dump, and systemd's Restart=on-failure still applies.
//
// The handler is async-signal-safe: it formats into a stack buffer and uses only write(2),
// fdatasync(2), clock_gettime(2), gettid, sigaction, pthread_sigmask, tgkill and _exit; it runs
// on the thread's alternate stack
// when it has one (every thread that runs plugin code has).
#pragma once

namespace weft::host {

// Installs the handler for the whole process. `record_fd`: the crash record, opened for
// appending, or -1 for none (the fd must stay open for the life of the process). Idempotent:
// a later call only replaces the fd. Not thread-safe against itself; call it once at start-up.
void install_crash_handler(int record_fd) noexcept;

}  // namespace weft::host
