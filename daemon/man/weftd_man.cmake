# Writes weftd(8) from weftd's own help (`weftd --help` and each command's), so the page says
# what the binary does. Run at build time: cmake -DWEFTD=... -DVERSION=... -DOUT=... -P this.
include("${CMAKE_CURRENT_LIST_DIR}/roff.cmake")

function(help_of out)
    execute_process(COMMAND "${WEFTD}" ${ARGN} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        string(REPLACE ";" " " words "${ARGN}")
        message(FATAL_ERROR "weftd ${words} --help failed (${rc})")
    endif()
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The command names under "Subcommands:" of a help text.
function(subcommands_of help out)
    set(names)
    set(in_list FALSE)
    string(REPLACE ";" "," help "${help}")
    string(REPLACE "\n" ";" lines "${help}")
    foreach(line IN LISTS lines)
        if(line MATCHES "^Subcommands:")
            set(in_list TRUE)
        elseif(in_list AND line MATCHES "^  ([a-z][a-z0-9-]*)")
            list(APPEND names "${CMAKE_MATCH_1}")
        elseif(in_list AND NOT line MATCHES "^ ")
            set(in_list FALSE)
        endif()
    endforeach()
    set(${out} "${names}" PARENT_SCOPE)
endfunction()

# The exit codes are the help's footer; each command repeats it, so it is cut from theirs.
function(without_footer help out)
    string(FIND "${help}" "Exit codes:" at)
    if(at GREATER -1)
        string(SUBSTRING "${help}" 0 ${at} help)
    endif()
    string(STRIP "${help}" help)
    set(${out} "${help}" PARENT_SCOPE)
endfunction()

help_of(top)
string(FIND "${top}" "Exit codes:" at)
string(SUBSTRING "${top}" ${at} -1 exit_codes)
string(STRIP "${exit_codes}" exit_codes)
without_footer("${top}" top_usage)

# Breadth first through the commands: "run", "plugin", then "plugin inspect", ...
subcommands_of("${top}" queue)
set(commands_roff "")
set(synopsis "")
while(queue)
    list(POP_FRONT queue command)
    string(REPLACE " " ";" words "${command}")
    help_of(help ${words})
    subcommands_of("${help}" children)
    foreach(child IN LISTS children)
        list(APPEND queue "${command} ${child}")
    endforeach()
    without_footer("${help}" help)
    weft_roff_escape("${help}" help)
    weft_roff_escape("${command}" escaped_command)
    string(APPEND commands_roff ".SS weftd ${escaped_command}\n.nf\n${help}\n.fi\n")
    if(NOT children)
        string(APPEND synopsis ".br\n.B weftd ${escaped_command}\n.RI [ options ]\n")
    endif()
endwhile()

weft_roff_header(weftd 8 "${VERSION}" "System Administration" page)
weft_roff_escape("${top_usage}" top_usage)
weft_roff_escape("${exit_codes}" exit_codes)
string(APPEND page ".SH NAME
weftd \\- run task plugins on a Tokio\\-class async runtime
.SH SYNOPSIS
${synopsis}.SH DESCRIPTION
.B weftd
is a long\\-running daemon that hosts an async runtime (work\\-stealing scheduler, timers,
blocking pool, channels, semaphores, cancellation) and loads task plugins: shared libraries
written against a small C ABI. One JSON file configures it, described in
.BR weftd.json (5).
Under systemd it runs as
.B weftd.service
(Type=notify); SIGINT or SIGTERM shut it down gracefully, SIGHUP re\\-reads the config.
.PP
.nf
${top_usage}
.fi
.SH COMMANDS
${commands_roff}.SH EXIT STATUS
.nf
${exit_codes}
.fi
.SH FILES
.TP
.I ${CONFIG_FILE}
the configuration
.TP
.I ${PLUGIN_DIR}
where relative plugin paths are looked up
.TP
.I /run/weft/admin.sock
the admin endpoint (HTTP: /health, /metrics, /status)
.SH SEE ALSO
.BR weftd.json (5),
.BR systemctl (1),
.BR journalctl (1)
")
file(WRITE "${OUT}" "${page}")
