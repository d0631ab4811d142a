// SPDX-License-Identifier: Apache-2.0

package oracle

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// Compare says how two outputs of a mode are compared.
type Compare int

const (
	// Exact compares bytes.
	Exact Compare = iota
	// RowSet compares the lines as a multiset (tables whose sysdig order
	// is hash-table order).
	RowSet
	// Ties compares a top-N table: rows may be reordered among rows of the
	// same value, and which tied rows the cut-off kept may differ.
	Ties
	// JSONTies compares the JSON documents of a top chisel's -j output:
	// the members of each object may come in any order (sysdig's chisels
	// encode Lua tables, whose iteration order changes from run to run),
	// layout kept, and the rows of "data" compare as a top-N table (Ties,
	// ranked by a row's last element). Text tables compare as Ties.
	JSONTies
)

// Mode is one way of replaying a capture.
type Mode struct {
	Group string   // what the agreement is reported under, e.g. "-p" or "chisel:ps"
	Args  []string // arguments after "-r FILE"
	Cmp   Compare
}

// Name is the mode's group and arguments, for reports.
func (m Mode) Name() string { return m.Group + " " + strings.Join(m.Args, " ") }

// argForms gives fields that need an argument the forms they are tested in.
var argForms = map[string][]string{
	"evt.type.is":                 {"evt.type.is.open"},
	"evt.arg":                     {"evt.arg[0]", "evt.arg.fd", "evt.arg.res", "evt.arg[1]"},
	"evt.rawarg":                  {"evt.rawarg.fd", "evt.rawarg.res", "evt.rawarg.flags"},
	"evt.around":                  {"evt.around[1000]"},
	"thread.cgroup":               {"thread.cgroup.cpu"},
	"proc.aname":                  {"proc.aname", "proc.aname[1]", "proc.aname[2]"},
	"proc.apid":                   {"proc.apid", "proc.apid[1]", "proc.apid[2]"},
	"container.mount":             {"container.mount[0]", "container.mount[/data]"},
	"container.mount.source":      {"container.mount.source[0]"},
	"container.mount.dest":        {"container.mount.dest[0]"},
	"container.mount.mode":        {"container.mount.mode[0]"},
	"container.mount.rdwr":        {"container.mount.rdwr[0]"},
	"container.mount.propagation": {"container.mount.propagation[0]"},
	"k8s.pod.label":               {"k8s.pod.label.app"},
	"k8s.rc.label":                {"k8s.rc.label.app"},
	"k8s.svc.label":               {"k8s.svc.label.app"},
	"k8s.ns.label":                {"k8s.ns.label.app"},
	"k8s.rs.label":                {"k8s.rs.label.app"},
	"k8s.deployment.label":        {"k8s.deployment.label.app"},
	"mesos.task.label":            {"mesos.task.label.app"},
	"marathon.app.label":          {"marathon.app.label.app"},
}

// filterOnly are fields sysdig refuses in formats; they are used in
// filters only (and one lone format checks the refusal).
var filterOnly = map[string]bool{"fd.ip": true, "fd.port": true, "fd.proto": true, "fd.net": true,
	"fd.cnet": true, "fd.snet": true, "fd.lnet": true, "fd.rnet": true}

// Fields lists the fields a tool's -l prints (ferret's or sysdig's), in order.
func Fields(tool string) ([]string, error) {
	out, err := exec.Command(tool, "-l").Output()
	if err != nil {
		return nil, err
	}
	var fields []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		if l == "" || l[0] < 'a' || l[0] > 'z' {
			continue
		}
		f := strings.Fields(l)[0]
		if strings.Contains(f, ".") && !strings.HasSuffix(f, ":") {
			fields = append(fields, f)
		}
	}
	return fields, sc.Err()
}

// Shared splits ferret's fields into those sysdig lists too, in ferret's
// order, and ferret's own (fd.mnt.*, net.*, evt.hostname...), which sysdig
// 0.29.3 refuses as unknown: those cannot agree and are not compared.
func Shared(ferret, sysdig []string) (shared, own []string) {
	known := make(map[string]bool, len(sysdig))
	for _, f := range sysdig {
		known[f] = true
	}
	for _, f := range ferret {
		if known[f] {
			shared = append(shared, f)
		} else {
			own = append(own, f)
		}
	}
	return shared, own
}

// formatBatches groups the display forms of fields into -p formats of at
// most n fields; fields sysdig rejects in formats each get a format of
// their own so the refusal is compared without hiding the others.
func formatBatches(fields []string, n int) []string {
	var out, cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, "%evt.num "+strings.Join(cur, " "))
			cur = nil
		}
	}
	for _, f := range fields {
		forms := argForms[f]
		if forms == nil {
			forms = []string{f}
		}
		if filterOnly[f] {
			out = append(out, "%evt.num %"+f)
			continue
		}
		for _, x := range forms {
			cur = append(cur, "%"+x)
			if len(cur) == n {
				flush()
			}
		}
	}
	flush()
	return out
}

// filters are one or more filters per field class and operator.
var filters = []string{
	"evt.type=open", "evt.type!=read", "evt.type in (open,openat,close)", "evt.dir=<", "evt.num>10", "evt.num<=5",
	"evt.cpu=0", "evt.res<0", "evt.failed=true", "evt.is_io=true", "evt.buflen>=4", "evt.rawres>=0",
	"evt.arg.fd=3", "evt.arg.name contains etc", "evt.category=file", "evt.latency>1000", "evt.info icontains GET",
	"evt.args startswith fd=", "evt.abspath glob /etc/*", "evt.type exists", "not evt.type=switch",
	"proc.name=server", "proc.name in (server,curl,sh)", "proc.pid!=1", "proc.name startswith s", "proc.exe contains bin",
	"proc.args icontains PORT", "proc.cwd=/tmp/", "proc.pname=init", "proc.aname=init", "proc.apid[1]=1",
	"proc.vpid!=proc.pid", "proc.nthreads>1", "proc.cmdline contains -p", "thread.tid>100", "thread.vtid<10",
	"thread.ismain=true", "user.name=root", "user.uid=1000", "user.name exists", "group.gid=0",
	"fd.name contains /etc", "fd.name=/etc/hosts", "fd.type=ipv4", "fd.type in (ipv6,unix)", "fd.typechar=f",
	"fd.num=3", "fd.num>=0", "fd.directory=/tmp", "fd.filename=hosts", "fd.ip=10.0.0.5", "fd.sip=10.0.0.5",
	"fd.cip exists", "fd.port=80", "fd.sport>1000", "fd.l4proto=udp", "fd.sockfamily=ip", "fd.is_server=true",
	"fd.net=10.0.0.0/8", "fd.snet=10.0.0.0/24", "fd.rip=93.184.216.34", "fd.lport=8080", "fd.proto=http",
	"fd.name glob *.sock", "fd.name pmatch (/etc, /tmp)", "fd.connected=true",
	"container.id=host", "container.name!=host", "container.id exists", "container.type=docker",
	"evt.type=open and fd.num>2", "proc.name=curl or fd.type=file", "(evt.dir=> and not fd.name exists)",
	"evt.rawtime>0", "evt.reltime<1000000000", "syslog.severity exists", "fdlist.nums contains 3",
	"k8s.pod.name exists", "evt.type=", "evt.nosuchfield=1", "proc.name contains", "evt.type in ()",
}

// chisels are the installed chisels that run without a terminal, with
// arguments where they need them, and how their output is compared.
var chisels = []Mode{
	{Args: []string{"-c", "topprocs_file"}, Cmp: Ties}, {Args: []string{"-c", "topprocs_net"}, Cmp: Ties},
	{Args: []string{"-c", "topprocs_cpu"}, Cmp: Ties}, {Args: []string{"-c", "topprocs_errors"}, Cmp: Ties},
	{Args: []string{"-c", "topfiles_bytes"}, Cmp: Ties}, {Args: []string{"-c", "topfiles_errors"}, Cmp: Ties},
	{Args: []string{"-c", "topfiles_time"}, Cmp: Ties}, {Args: []string{"-c", "topconns"}, Cmp: Ties},
	{Args: []string{"-c", "topports_server"}, Cmp: Ties}, {Args: []string{"-c", "topscalls"}, Cmp: Ties},
	{Args: []string{"-c", "topscalls_time"}, Cmp: Ties}, {Args: []string{"-c", "topcontainers_cpu"}, Cmp: Ties},
	{Args: []string{"-c", "topcontainers_error"}, Cmp: Ties}, {Args: []string{"-c", "topcontainers_file"}, Cmp: Ties},
	{Args: []string{"-c", "topcontainers_net"}, Cmp: Ties},
	{Args: []string{"-c", "ps"}, Cmp: RowSet}, {Args: []string{"-c", "lsof"}, Cmp: RowSet},
	{Args: []string{"-c", "netstat"}, Cmp: RowSet}, {Args: []string{"-c", "lscontainers"}, Cmp: RowSet},
	{Args: []string{"-c", "iobytes"}}, {Args: []string{"-c", "iobytes_file"}}, {Args: []string{"-c", "iobytes_net"}},
	{Args: []string{"-c", "echo_fds"}}, {Args: []string{"-c", "spy_file"}}, {Args: []string{"-c", "spy_logs"}},
	{Args: []string{"-c", "spy_syslog"}}, {Args: []string{"-c", "spy_users"}}, {Args: []string{"-c", "spy_ip", "10.0.0.5"}},
	{Args: []string{"-c", "spy_port", "80"}}, {Args: []string{"-c", "stdin"}}, {Args: []string{"-c", "stdout"}},
	{Args: []string{"-c", "stderr"}}, {Args: []string{"-c", "fdbytes_by", "fd.type"}, Cmp: Ties},
	{Args: []string{"-c", "fdcount_by", "proc.name"}, Cmp: Ties}, {Args: []string{"-c", "fdtime_by", "fd.type"}, Cmp: Ties},
	{Args: []string{"-c", "fileslower", "0"}}, {Args: []string{"-c", "netlower", "0"}}, {Args: []string{"-c", "scallslower", "0"}},
	{Args: []string{"-c", "bottlenecks"}, Cmp: Ties}, {Args: []string{"-c", "proc_exec_time"}},
	{Args: []string{"-c", "list_login_shells"}, Cmp: RowSet}, {Args: []string{"-c", "shellshock_detect"}},
	{Args: []string{"-c", "httplog"}}, {Args: []string{"-c", "httptop"}, Cmp: Ties}, {Args: []string{"-c", "memcachelog"}},
	{Args: []string{"-c", "spectrogram"}}, {Args: []string{"-c", "table_generator", "proc.name Process evt.count Count 'evt.type=open' 5 none"}, Cmp: Ties},
	{Args: []string{"-c", "v_procs"}, Cmp: Ties},
}

// Modes returns every mode for the given field list, with batch fields per
// -p format.
func Modes(fields []string, batch int) []Mode {
	var ms []Mode
	ms = append(ms,
		Mode{Group: "default"},
		Mode{Group: "-j", Args: []string{"-j"}},
		Mode{Group: "-pc", Args: []string{"-pc"}},
		Mode{Group: "-pc", Args: []string{"-pc", "-p", "%evt.num %container.id %container.name %container.image %proc.name"}},
		Mode{Group: "-n", Args: []string{"-n", "7"}},
		Mode{Group: "-n", Args: []string{"-n", "1", "-j"}},
		Mode{Group: "-M", Args: []string{"-M", "1"}},
		Mode{Group: "-M", Args: []string{"-M", "3", "-p", "%evt.num %evt.time"}},
		Mode{Group: "-count", Args: []string{"-p", "%evt.num"}},
	)
	for _, f := range formatBatches(fields, batch) {
		ms = append(ms, Mode{Group: "-p", Args: []string{"-p", f}}, Mode{Group: "-p*", Args: []string{"-p", "*" + f}})
	}
	for _, f := range filters {
		ms = append(ms, Mode{Group: "filter", Args: []string{f}})
	}
	for _, f := range []string{"evt.type=open", "fd.type=ipv4", "proc.name=server", "evt.dir=< and evt.res<0"} {
		ms = append(ms, Mode{Group: "-d", Args: []string{"-d", f}})
		ms = append(ms, Mode{Group: "-d", Args: []string{"-d", "-c", "topscalls", f}, Cmp: Ties})
	}
	for _, c := range chisels {
		c.Group = "chisel:" + c.Args[1]
		ms = append(ms, c)
		if c.Args[1] == "topconns" || c.Args[1] == "topprocs_file" || c.Args[1] == "ps" {
			cmp := JSONTies
			if c.Args[1] == "ps" {
				cmp = Exact
			}
			ms = append(ms, Mode{Group: c.Group, Args: append([]string{"-j"}, c.Args...), Cmp: cmp})
			ms = append(ms, Mode{Group: c.Group, Args: append([]string{"-pc"}, c.Args...), Cmp: c.Cmp})
		}
	}
	return ms
}

// MarshalText writes the mode as lines: group, comparison, then one
// argument per line.
func (m Mode) MarshalText() ([]byte, error) {
	return []byte(strings.Join(append([]string{m.Group, strconv.Itoa(int(m.Cmp))}, m.Args...), "\n") + "\n"), nil
}

// UnmarshalText reads what MarshalText wrote.
func (m *Mode) UnmarshalText(b []byte) error {
	l := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(l) < 2 {
		return fmt.Errorf("mode file has %d lines, want at least 2", len(l))
	}
	c, err := strconv.Atoi(l[1])
	if err != nil {
		return fmt.Errorf("mode comparison %q: %v", l[1], err)
	}
	*m = Mode{Group: l[0], Cmp: Compare(c), Args: l[2:]}
	return nil
}
