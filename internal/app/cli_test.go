// SPDX-License-Identifier: Apache-2.0

package app

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ferret-observability/ferret/internal/getopt"
)

// TestCLI checks messages, exit statuses and option semantics against
// what sysdig 0.29.3 does on the same command lines.
func TestCLI(t *testing.T) {
	const tr = "testdata/curl_google.scap"
	tests := []struct {
		name string
		args []string
		want string
		rc   int
	}{
		{"bad duration", []string{"-r", tr, "-M", "0"}, "invalid duration0\n", 1},
		{"bad count", []string{"-r", tr, "-n", "abc"}, "can't parse the -n argument, make sure it's a number\n", 1},
		{"zero count", []string{"-r", tr, "-n", "0"}, "invalid event count 0\n", 1},
		{"bad time mode", []string{"-r", tr, "-t", "x"}, "invalid modifier for flag -t\n", 1},
		{"bad option", []string{"-Y"}, "ferret: invalid option -- 'Y'\n", 1},
		{"missing argument", []string{"-r"}, "ferret: option requires an argument -- 'r'\n", 1},
		{"missing file", []string{"-r", "testdata/nonexistent.scap"}, "can't open file testdata/nonexistent.scap\n", 1},
		{"bad format", []string{"-r", tr, "-p", "%bogus.field"}, "invalid formatting token bogus.field\n", 1},
		{"bad filter", []string{"-r", tr, "evt.type=opn"}, "filter error at position 12: unknown event type opn\n", 1},
		{"print format", []string{"-pp"}, "*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info\n", 0},
		{"print container format", []string{"-pc", "-pp"}, "*%evt.num %evt.outputtime %evt.cpu %container.name (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info\n", 0},
		{"count with capture filter", []string{"-r", tr, "-n", "3", "-p", "%evt.num", "evt.type=open"}, "218\n219\n228\n", 0},
		{"count with display filter", []string{"-r", tr, "-d", "-n", "219", "-p", "%evt.num", "evt.type=open"}, "218\n219\n", 0},
		{"count includes internal events", []string{"-r", tr, "-n", "5"}, "", 0},
		{"summary with capture filter", []string{"-r", tr, "-q", "-S", "evt.type=open"}, "----------------------\nEvent           #Calls\n----------------------\n> open            48\n< open            48\n", 0},
		{"quiet", []string{"-r", tr, "-q"}, "", 0},
		{"duration", []string{"-r", tr, "-M", "1", "-p", "%evt.num", "evt.num>1429"}, "", 0},
		{"filter words joined", []string{"-r", tr, "-p", "%evt.num", "evt.num", "=", "219"}, "219\n", 0},
		{"options after filter", []string{"-r", tr, "evt.num=219", "-p", "%evt.num %evt.type"}, "219 open\n", 0},
		{"events list", []string{"-L"}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rc := runCLI(t, ".", tt.args)
			if tt.name == "events list" {
				if !strings.HasPrefix(got, "> syscall(SYSCALLID ID, UINT16 nativeID)\n< syscall(SYSCALLID ID)\n> open(") {
					t.Errorf("-L starts with %.100q", got)
				}
				return
			}
			if got != tt.want || rc != tt.rc {
				t.Errorf("got %q rc %d, want %q rc %d", got, rc, tt.want, tt.rc)
			}
		})
	}
}

// TestTerminalOutput checks the coloured default line and the escaping of
// control characters when stdout is a terminal.
func TestTerminalOutput(t *testing.T) {
	tty := func(c *cli) { c.isTerminal = func(io.Writer) bool { return true } }
	got, rc := runCLIWith(t, ".", []string{"-r", "testdata/curl_google.scap", "evt.num=212"}, tty)
	want := "212 17:35:48.514648551 0 \x1b[01;32mcurl\x1b[00m (\x1b[01;36m17497\x1b[00m.17497) > \x1b[01;34mbrk\x1b[00m addr=0 \n"
	if rc != 0 || got != want {
		t.Errorf("got %q rc %d, want %q", got, rc, want)
	}
	got, _ = runCLIWith(t, ".", []string{"-r", "testdata/curl_google.scap", "-j", "evt.num=212"}, tty)
	if strings.Contains(got, "\x1b") {
		t.Errorf("JSON output on a terminal has colours: %q", got)
	}
}

// TestChiselRunApp checks that a command line a chisel hands to
// sysdig.run_app runs once the capture has ended.
func TestChiselRunApp(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.scap")
	script := `description = "runs a second command line"
short_description = "run_app test"
category = "misc"
args = {}
function on_capture_end()
	print("first run ended")
	sysdig.run_app('-F -r ` + tracePath(t) + ` -w ` + out + ` "evt.num=219"')
end
`
	if err := os.WriteFile(filepath.Join(dir, "again.lua"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FERRET_CHISEL_DIR", dir)
	got, rc := runCLI(t, ".", []string{"-r", "testdata/curl_google.scap", "-c", "again"})
	if rc != 0 || got != "first run ended\n" {
		t.Fatalf("got %q rc %d", got, rc)
	}
	got, rc = runCLI(t, ".", []string{"-r", out, "-p", "%evt.type %proc.name"})
	if rc != 0 || got != "open curl\n" {
		t.Errorf("the run_app capture holds %q (rc %d), want the one event", got, rc)
	}
}

func tracePath(t *testing.T) string {
	p, err := filepath.Abs(filepath.Join("testdata", "curl_google.scap"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUnknownCommand: a bare first word that is no subcommand is reported
// as an unknown command with the nearest name; filters still start with
// a field, "not" or a parenthesis.
func TestUnknownCommand(t *testing.T) {
	tests := []struct{ word, want string }{
		{"netf", "ferret: unknown command 'netf'; did you mean 'netfs'?\n"},
		{"trac", "ferret: unknown command 'trac'; did you mean 'trace'?\n"},
		{"fiels", "ferret: unknown command 'fiels'; did you mean 'files'?\n"},
		{"nte", "ferret: unknown command 'nte'; did you mean 'net'?\n"},
		{"zzzzzz", "ferret: unknown command 'zzzzzz' (commands: " + strings.Join(subcommandNames(), ", ") + "; see ferret --help)\n"},
	}
	for _, tc := range tests {
		got, rc := runCLI(t, ".", []string{tc.word, "-r", "x.scap"})
		if rc != 1 || got != tc.want {
			t.Errorf("%s: rc %d, %q; want %q", tc.word, rc, got, tc.want)
		}
	}
	for _, f := range []string{"proc.name=cat", "not", "(evt.type=open)"} {
		if msg := unknownCommand(f); msg != "" {
			t.Errorf("%q taken for a command: %s", f, msg)
		}
	}
	if d := getopt.EditDistance("tpo", "top"); d != 1 {
		t.Errorf("a swap is one edit, got %d", d)
	}
}

// TestFilesDeadPID: ferret files --pid of a process that does not exist
// fails at once instead of waiting.
func TestFilesDeadPID(t *testing.T) {
	b, err := os.ReadFile("/proc/sys/kernel/pid_max")
	if err != nil {
		t.Skip("no pid_max")
	}
	dead := strings.TrimSpace(string(b)) // pids are below pid_max
	got, rc := runCLI(t, ".", []string{"files", "--pid", dead})
	if rc != 1 || got != "ferret files: process "+dead+": no such process\n" {
		t.Errorf("rc %d, %q", rc, got)
	}
}

// TestHelpPlaceholders: every subcommand's options name their values
// (--by KEYS), never by pflag's type names (--by string).
func TestHelpPlaceholders(t *testing.T) {
	typeName := regexp.MustCompile(`--[a-z-]+ (string|int|uint|float|float64|duration|strings|ints|stringArray|intSlice)\b`)
	for _, name := range subcommandNames() {
		got, _ := runCLI(t, ".", []string{name, "--help"})
		if !strings.Contains(got, "Usage: ferret "+name) {
			t.Errorf("%s --help: %q", name, got)
		}
		for _, l := range strings.Split(got, "\n") {
			if typeName.MatchString(l) {
				t.Errorf("%s --help: type placeholder in %q", name, l)
			}
		}
	}
}
