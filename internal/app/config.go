// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	capnats "github.com/ferret-observability/ferret/internal/capture/nats"
	"github.com/ferret-observability/ferret/internal/format"
	"github.com/ferret-observability/ferret/internal/getopt"
	"github.com/ferret-observability/ferret/internal/inspect"
	"strconv"
	"strings"
	"time"
)

// Config is the parsed sysdig-style command line: the settings of one
// inspect.Session.
type Config = inspect.Config

// usageError is a command-line error reported with the exit status 1.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func parseConfig(args []string) (*Config, error) {
	opts, operands, err := getopt.Parse(optDefs, args)
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	c := &Config{Snaplen: 80, TimeMode: 'h', Operands: operands}
	for _, o := range opts {
		if err := apply(c, o); err != nil {
			return nil, err
		}
	}
	if err := checkStreamOptions(c, opts); err != nil {
		return nil, err
	}
	return c, nil
}

// checkStreamOptions refuses the stream options given without the stream
// they apply to, rather than ignoring them.
func checkStreamOptions(c *Config, opts []getopt.Opt) error {
	reads := false
	for _, r := range c.Read {
		reads = reads || capnats.IsURL(r)
	}
	writes := capnats.IsURL(c.Write)
	for _, o := range opts {
		switch o.Name {
		case "since", "follow":
			if !reads {
				return &usageError{fmt.Sprintf("--%s reads a stream: it needs -r nats://HOST[:PORT]/SUBJECT", o.Name)}
			}
		case "spool", "spool-max", "nats-stream", "nats-max-age", "nats-max-bytes":
			if !writes {
				return &usageError{fmt.Sprintf("--%s applies to a stream writer: it needs -w nats://HOST[:PORT][/SUBJECT]", o.Name)}
			}
		case "nats-creds", "nats-tls-ca", "nats-tls-cert", "nats-tls-key":
			if !reads && !writes {
				return &usageError{fmt.Sprintf("--%s needs -r or -w nats://...", o.Name)}
			}
		}
	}
	return nil
}

// apply sets the setting of one option.
func apply(c *Config, o getopt.Opt) error {
	var err error
	switch o.Name {
	case "A", "b", "x", "X":
		c.Buf = o.Name[0]
	case "r":
		c.Read = append(c.Read, o.Arg)
	case "w":
		c.Write = o.Arg
	case "p":
		switch o.Arg {
		case "c", "container":
			c.Container = true
		case "k", "kubernetes":
			c.Container, c.K8s = true, true
		case "m", "mesos":
			c.Container, c.Mesos = true, true
		case "p":
			c.PrintFormat = true
		default:
			c.Format, c.FormatSet = format.TranslateEscapes(o.Arg), true
		}
	case "j":
		c.JSON = true
	case "R":
		c.ResolvePorts = true
	case "v":
		c.Verbose = true
	case "s":
		// Like sysdig, an unparsable value means the default.
		if n, err := strconv.Atoi(o.Arg); err == nil && n > 0 {
			c.Snaplen = n
		}
	case "t":
		if len(o.Arg) != 1 || !strings.Contains("hardD", o.Arg) {
			return inspect.Fail(1, "%s", "invalid modifier for flag -t")
		}
		c.TimeMode = o.Arg[0]
	case "n":
		c.NumEvents, err = strconv.ParseUint(o.Arg, 10, 64)
		if err != nil {
			return inspect.Fail(1, "%s", "can't parse the -n argument, make sure it's a number")
		}
		if c.NumEvents == 0 {
			return inspect.Fail(1, "%s", "invalid event count "+o.Arg)
		}
	case "M":
		c.MaxSeconds, err = strconv.ParseUint(o.Arg, 10, 64)
		if err != nil || c.MaxSeconds == 0 {
			return inspect.Fail(1, "%s", "invalid duration"+o.Arg)
		}
	case "q":
		c.Quiet = true
	case "S":
		c.Summary = true
	case "d":
		c.Display = true
	case "D":
		c.Debug = true
	case "l":
		c.List = true
	case "L":
		c.ListEvents = true
	case "list-markdown":
		c.ListMD = true
	case "c":
		if o.Arg == "l" {
			c.ListChisels = true
		} else {
			c.Chisels = append(c.Chisels, o.Arg)
		}
	case "list-chisels":
		c.ListChisels = true
	case "i":
		c.ChiselInfo = o.Arg
	case "z":
		c.Compress = true
	case "C":
		c.FileSize, err = strconv.ParseUint(o.Arg, 10, 64)
		if err != nil {
			return inspect.Fail(1, "%s", "invalid file size"+o.Arg)
		}
	case "G":
		c.Seconds, err = strconv.ParseUint(o.Arg, 10, 64)
		if err != nil {
			return inspect.Fail(1, "%s", "invalid duration"+o.Arg)
		}
	case "W":
		c.Limit, err = strconv.Atoi(o.Arg)
		if err != nil || c.Limit < 0 {
			return inspect.Fail(1, "%s", "invalid file limit"+o.Arg)
		}
	case "e":
		c.EventsPer, err = strconv.ParseUint(o.Arg, 10, 64)
		if err != nil {
			return inspect.Fail(1, "%s", "invalid parameter 'number of events' "+o.Arg)
		}
	case "F":
		c.FatFile = true
	case "buffer-size":
		c.BufferSize, err = getopt.ParseSize(o.Arg)
		if err != nil {
			return &usageError{fmt.Sprintf("invalid buffer size %s", o.Arg)}
		}
	case "nats-stream":
		c.NATS.Stream = o.Arg
	case "nats-max-age":
		c.NATS.MaxAge, err = time.ParseDuration(o.Arg)
		if err != nil || c.NATS.MaxAge <= 0 {
			return &usageError{fmt.Sprintf("invalid --nats-max-age %s (a duration such as 24h or 30m)", o.Arg)}
		}
	case "nats-max-bytes", "spool-max":
		n, err := getopt.ParseSize(o.Arg)
		if err != nil {
			return &usageError{fmt.Sprintf("invalid --%s %s (a size such as 512M or 10G)", o.Name, o.Arg)}
		}
		if o.Name == "spool-max" {
			c.NATS.SpoolMax = int64(n)
		} else {
			c.NATS.MaxBytes = int64(n)
		}
	case "nats-creds":
		c.NATS.Creds = o.Arg
	case "nats-tls-ca":
		c.NATS.TLSCA = o.Arg
	case "nats-tls-cert":
		c.NATS.TLSCert = o.Arg
	case "nats-tls-key":
		c.NATS.TLSKey = o.Arg
	case "spool":
		c.NATS.Spool = o.Arg
	case "since":
		c.NATS.Since, err = parseSince(o.Arg, time.Now())
		if err != nil {
			return &usageError{err.Error()}
		}
	case "follow":
		c.NATS.Follow = true
	case "h":
		c.Help = true
	case "version":
		c.Version = true
	case "libs-version":
		c.LibsVersion = true
	case "unbuffered":
		c.Unbuffered = true
	}
	return nil
}

// parseSince reads the start time of a stream read: RFC 3339
// (2026-12-01T10:00:00Z), a local "2006-01-02 15:04:05" or "15:04:05"
// (today), seconds since the epoch, or a duration before now (10m, 2h).
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n > 0 {
		return time.Unix(0, int64(n*1e9)), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	if t, err := time.ParseInLocation("15:04:05", s, time.Local); err == nil {
		y, m, d := now.Date()
		return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), 0, time.Local), nil
	}
	return time.Time{}, fmt.Errorf("invalid --since %s (RFC 3339 time, \"YYYY-MM-DD hh:mm:ss\", hh:mm:ss, seconds since the epoch, or a duration before now such as 10m)", s)
}
