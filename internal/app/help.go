// SPDX-License-Identifier: Apache-2.0

package app

const helpText = `
Options:
 -A, --print-ascii  Only print the text portion of data buffers, and echo
                    end-of-lines.
 -b, --print-base64 Print data buffers in base64.
 -c <chiselname> <chiselargs>, --chisel <chiselname> <chiselargs>
                    Run the specified chisel. Its arguments follow its name.
                    Chisels and their libraries are searched in the
                    directories of $FERRET_CHISEL_DIR and $SYSDIG_CHISEL_DIR
                    (separated by ':'), ./chisels, ~/.chisels, then among
                    the built-in chisels, then in /usr/share/sysdig/chisels
                    and /usr/local/share/sysdig/chisels. A directory or
                    script owned by another user than you or root, or
                    writable by its group or others, is skipped with a
                    warning. Built-in chisels load built-in libraries only.
 -cl, --list-chisels
                    List the available chisels.
 -C <file_size>, --file-size=<file_size>
                    With -w, start a new file when the current one is larger
                    than file_size millions of bytes.
 -d, --displayflt   Make the given filter a display one: events are filtered
                    after being parsed by the state system.
 -D, --debug        Display internal events in addition to system events.
 -e <num_events>    With -w, start a new file every num_events events.
 -F, --fatfile      With -w, also write events the filter rejected but that
                    are needed to rebuild the state, hidden from readers.
 -G <num_seconds>, --seconds=<num_seconds>
                    With -w, start a new file every num_seconds seconds.
 -h, --help         Print this page.
 -i <chiselname>, --chisel-info <chiselname>
                    Describe a chisel and its arguments.
 -j, --json         Emit output as JSON lines. With -w nats://, send one JSON
                    event per message instead of capture blocks.
 -L, --list-events  List the events the engine supports.
 -l, --list         List the fields usable in filters and output formats.
                    Use -lv for types and details.
 --list-markdown    Like -l, in markdown.
 -M <num_seconds>   Stop after <num_seconds> of trace time.
 -n <num>, --numevents=<num>
                    Stop after <num> events.
 -p <output_format>, --print=<output_format>
                    Format used to print events. -pc/-pcontainer,
                    -pk/-pkubernetes, -pm/-pmesos select container-friendly
                    formats; -pp prints the default format.
 -q, --quiet        Don't print events (useful with -w).
 -r <readfile>, --read=<readfile>
                    Read events from <readfile> (may be repeated), or from a
                    NATS JetStream stream: nats://HOST[:PORT]/SUBJECT, where
                    the subject may hold wildcards (ferret.> for every
                    machine; none means ferret.>). Machines are merged by
                    time, each with its own state; evt.hostname names them.
 -S, --summary      Print the event summary when the capture ends.
 -s <len>, --snaplen=<len>
                    Capture the first <len> bytes of each I/O buffer (80).
 -t <timetype>, --timetype=<timetype>
                    Time display: h human, a absolute, r relative to the
                    start, d enter/exit latency, D delta from the previous
                    event.
 --unbuffered       Flush output after every line.
 -v, --verbose      Don't truncate data buffers; print statistics at the end.
 --version          Print the version, commit, build date and Go version; as
                    root also the kernel features live capture uses (BTF,
                    ring buffer, tp_btf).
 -w <writefile>, --write=<writefile>
                    Write the captured events to <writefile>, or stream them
                    to NATS JetStream: nats://HOST[:PORT][/SUBJECT] (default
                    subject ferret.<hostname>) sends the blocks of a capture
                    file in messages of at most about 64 KiB or 100 ms, each
                    acknowledged by the server; a state snapshot starts the
                    stream and every -G/-C period (every 5 minutes without
                    them), so a reader can start at any of them.
 -W <num>, --limit <num>
                    With -C or -G, keep at most <num> files.
 -x, --print-hex    Print data buffers in hex.
 -X, --print-hex-ascii
                    Print data buffers in hex and ASCII.
 -z, --compress     With -w, compress the trace file.
 --buffer-size=<size>
                    Size of the live capture ring buffer (K, M, G suffixes).
 --follow           With -r nats://, keep reading the messages that arrive.
 --nats-creds=<file>
                    NATS credentials file (JWT and seed) for -w/-r nats://.
                    A user and password may also be given in the address.
 --nats-max-age=<duration>
                    With -w nats://, the stream's retention (e.g. 24h); it
                    is created when no stream holds the subject.
 --nats-max-bytes=<size>
                    With -w nats://, the stream's size bound (K, M, G).
 --nats-stream=<name>
                    Name of the stream -w nats:// creates (FERRET), over
                    the subject's first token followed by '>'.
 --nats-tls-ca=<file>
                    CA certificates that sign the NATS server's (tls://).
 --nats-tls-cert=<file>
                    Client certificate for NATS, with --nats-tls-key.
 --nats-tls-key=<file>
                    Key of the client certificate for NATS.
 --since=<time>     With -r nats://, start at the last snapshot before
                    <time> (RFC 3339, "YYYY-MM-DD hh:mm:ss", hh:mm:ss,
                    seconds since the epoch, or a duration ago such as 10m)
                    and show the events from <time> on.
 --spool=<dir>      With -w nats://, keep what the server has not
                    acknowledged beyond 16 MiB in <dir> while it is
                    unreachable, and send it in order once it is back (also
                    by the next run). What cannot be kept is counted and
                    reported at the end.
 --spool-max=<size> Bound of the spool (1G; K, M, G suffixes).

Everything after the options is a filter, e.g.
   ferret -r trace.scap proc.name=cat and evt.type=open
`
