// SPDX-License-Identifier: Apache-2.0

package inspect

import (
	"fmt"
	"time"
)

// Config is the sysdig-style command line of a session (internal/app parses
// it).
type Config struct {
	Read         []string // -r, in order
	Write        string   // -w
	Format       string   // -p (after escape translation); "" = default
	FormatSet    bool
	Container    bool // -pc / -pcontainer (also -pk, -pm)
	PrintFormat  bool // -pp
	K8s, Mesos   bool
	JSON         bool   // -j
	Buf          byte   // 0, 'A', 'x', 'X', 'b'
	ResolvePorts bool   // -R: service names for ports in fd.*proto
	Verbose      bool   // -v
	Snaplen      int    // -s
	TimeMode     byte   // -t
	NumEvents    uint64 // -n
	MaxSeconds   uint64 // -M
	Quiet        bool   // -q
	Summary      bool   // -S
	Display      bool   // -d
	Debug        bool   // -D
	List         bool   // -l
	ListEvents   bool   // -L
	ListMD       bool   // --list-markdown
	Chisels      []string
	ListChisels  bool
	ChiselInfo   string
	Compress     bool   // -z
	FileSize     uint64 // -C (millions of bytes)
	Seconds      uint64 // -G
	Limit        int    // -W
	EventsPer    uint64 // -e
	FatFile      bool   // -F
	BufferSize   int    // --buffer-size (bytes)
	Help         bool
	Version      bool
	LibsVersion  bool
	Unbuffered   bool
	Operands     []string // chisel arguments, then the filter words
	NATS         NATSConfig
}

// NATSConfig holds the options of streams (-w / -r nats://...).
type NATSConfig struct {
	Stream   string        // --nats-stream
	MaxAge   time.Duration // --nats-max-age
	MaxBytes int64         // --nats-max-bytes
	Creds    string        // --nats-creds
	TLSCA    string        // --nats-tls-ca
	TLSCert  string        // --nats-tls-cert
	TLSKey   string        // --nats-tls-key
	Spool    string        // --spool
	SpoolMax int64         // --spool-max
	Since    time.Time     // --since
	Follow   bool          // --follow
}

// ExitError ends a session (or its command line) with an exact message and
// exit status.
type ExitError struct {
	Msg  string
	Code int
}

func (e *ExitError) Error() string { return e.Msg }

// Fail returns an ExitError with the formatted message.
func Fail(code int, format string, a ...any) error {
	return &ExitError{fmt.Sprintf(format, a...), code}
}
