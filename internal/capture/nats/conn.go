// SPDX-License-Identifier: Apache-2.0

package nats

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	gonats "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Header names of the capture messages.
const (
	// HdrWriter identifies one writing run: hostname, boot time and start
	// time of the writer. Messages of one writer are numbered by HdrSeq.
	HdrWriter = "Ferret-Writer"
	// HdrSeq numbers a writer's messages from 1, in the order of the bytes
	// they carry.
	HdrSeq = "Ferret-Seq"
	// HdrPrev is the sequence of the writer's previous message that was
	// sent (0 for none): numbers of messages the writer had to drop are
	// skipped, so a reader knows a gap from a message still to come.
	HdrPrev = "Ferret-Prev"
	// HdrSection is "1" on a message that starts a section: a section
	// header and the state snapshot (machine, users, processes, fds)
	// follow, so a reader can start there.
	HdrSection = "Ferret-Section"
	// HdrTime is the time (ns since the epoch) of a message's first event,
	// or of the snapshot for a message that starts a section.
	HdrTime = "Ferret-Time"
	// HdrEvents is the number of events the message carries.
	HdrEvents = "Ferret-Events"
	// HdrHost is the hostname of the capturing machine.
	HdrHost = "Ferret-Host"
	// HdrFormat is "scap" for capture blocks, "json" for one JSON event or
	// one JSON table of ferret net.
	HdrFormat = "Ferret-Format"
)

// DefaultStream is the name of the stream created when none holds the
// subject.
const DefaultStream = "FERRET"

// Target is a parsed nats://HOST:PORT/SUBJECT address.
type Target struct {
	Server  string // nats://HOST:PORT (or tls://)
	Subject string // "" when the address names none
}

// IsURL reports whether s names a NATS server rather than a file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "nats://") || strings.HasPrefix(s, "tls://")
}

// ParseURL parses nats://[user:pass@]HOST[:PORT][/SUBJECT]. The subject may
// use NATS wildcards (* and >) when reading.
func ParseURL(s string) (Target, error) {
	u, err := url.Parse(s)
	if err != nil {
		return Target{}, fmt.Errorf("invalid NATS address %q: %v", s, err)
	}
	if u.Scheme != "nats" && u.Scheme != "tls" {
		return Target{}, fmt.Errorf("invalid NATS address %q: the scheme must be nats:// or tls://", s)
	}
	if u.Hostname() == "" {
		return Target{}, fmt.Errorf("invalid NATS address %q: no host", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Target{}, fmt.Errorf("invalid NATS address %q: unexpected query or fragment", s)
	}
	host := u.Host
	if u.Port() == "" {
		host += ":4222"
	}
	srv := u.Scheme + "://"
	if u.User != nil {
		srv += u.User.String() + "@"
	}
	t := Target{Server: srv + host, Subject: strings.TrimPrefix(u.Path, "/")}
	if t.Subject != "" {
		if err := checkSubject(t.Subject); err != nil {
			return Target{}, fmt.Errorf("invalid NATS address %q: %v", s, err)
		}
	}
	return t, nil
}

// checkSubject rejects subjects NATS would refuse: empty tokens, spaces,
// and '>' anywhere but as the last token.
func checkSubject(s string) error {
	toks := strings.Split(s, ".")
	for i, tok := range toks {
		switch {
		case tok == "":
			return fmt.Errorf("subject %q has an empty token", s)
		case strings.ContainsAny(tok, " \t\r\n/"):
			return fmt.Errorf("subject %q contains a space or '/'", s)
		case tok == ">" && i != len(toks)-1:
			return fmt.Errorf("subject %q: '>' must be the last token", s)
		case tok != ">" && tok != "*" && strings.ContainsAny(tok, "*>"):
			return fmt.Errorf("subject %q: wildcards must be whole tokens", s)
		}
	}
	return nil
}

// HasWildcard reports whether a subject matches more than one subject.
func HasWildcard(subject string) bool {
	for _, tok := range strings.Split(subject, ".") {
		if tok == "*" || tok == ">" {
			return true
		}
	}
	return false
}

// DefaultSubject is ferret.<hostname>, with the dots of the name replaced.
func DefaultSubject() string {
	h, _ := os.Hostname()
	if h == "" {
		h = "localhost"
	}
	return "ferret." + strings.NewReplacer(".", "_", " ", "_", "*", "_", ">", "_").Replace(h)
}

// ConnOptions are the client settings shared by writers and readers.
type ConnOptions struct {
	Creds   string // --nats-creds: a credentials (JWT + seed) file
	TLSCA   string // --nats-tls-ca: CA certificates that sign the server's
	TLSCert string // --nats-tls-cert, --nats-tls-key: client certificate
	TLSKey  string
	Name    string // client name shown by the server
	// Timeout bounds the connection and every JetStream request (default
	// 5 s).
	Timeout time.Duration
	// Extra options (reconnect handlers of a writer).
	Extra []gonats.Option
}

func (o ConnOptions) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return 5 * time.Second
}

// Connect opens a connection to the server of t and its JetStream context.
// The error names the server and what failed (unreachable, authorization,
// TLS, no JetStream).
func Connect(t Target, o ConnOptions) (*gonats.Conn, jetstream.JetStream, error) {
	opts := []gonats.Option{gonats.Timeout(o.timeout())}
	if o.Name != "" {
		opts = append(opts, gonats.Name(o.Name))
	}
	if o.Creds != "" {
		if _, err := os.Stat(o.Creds); err != nil {
			return nil, nil, fmt.Errorf("NATS credentials: %v", err)
		}
		opts = append(opts, gonats.UserCredentials(o.Creds))
	}
	if o.TLSCA != "" {
		opts = append(opts, gonats.RootCAs(o.TLSCA))
	}
	if o.TLSCert != "" || o.TLSKey != "" {
		if o.TLSCert == "" || o.TLSKey == "" {
			return nil, nil, errors.New("NATS TLS: --nats-tls-cert and --nats-tls-key go together")
		}
		opts = append(opts, gonats.ClientCert(o.TLSCert, o.TLSKey))
	}
	rec := &refusal{}
	opts = append(opts, gonats.ErrorHandler(rec.handle))
	opts = append(opts, o.Extra...)
	nc, err := gonats.Connect(t.Server, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot connect to NATS server %s: %v", redact(t.Server), describe(err))
	}
	refusals.Store(nc, rec)
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("NATS server %s: %v", redact(t.Server), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout())
	defer cancel()
	if _, err := js.AccountInfo(ctx); err != nil {
		nc.Close()
		if errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) {
			return nil, nil, fmt.Errorf("NATS server %s has no JetStream (start nats-server with -js)", redact(t.Server))
		}
		return nil, nil, fmt.Errorf("NATS server %s: JetStream: %v", redact(t.Server), Explain(nc, err))
	}
	return nc, js, nil
}

// refusal keeps the last permission violation the server reported on a
// connection: a request it refused only times out, the reason comes apart.
type refusal struct {
	mu   sync.Mutex
	last error
}

func (r *refusal) handle(_ *gonats.Conn, _ *gonats.Subscription, err error) {
	if err == nil || !errors.Is(err, gonats.ErrPermissionViolation) && !strings.Contains(strings.ToLower(err.Error()), "permissions violation") {
		return
	}
	r.mu.Lock()
	r.last = err
	r.mu.Unlock()
}

var refusals sync.Map // *gonats.Conn → *refusal

// Refused returns the last permission violation the server reported on
// nc, or nil.
func Refused(nc *gonats.Conn) error {
	v, ok := refusals.Load(nc)
	if !ok {
		return nil
	}
	r := v.(*refusal)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// Explain adds to err the permission violation the server reported, when
// there is one (a refused request otherwise only times out).
func Explain(nc *gonats.Conn, err error) error {
	if perm := Refused(nc); perm != nil && err != nil {
		return fmt.Errorf("permission denied: %v", perm)
	}
	return err
}

func describe(err error) string {
	switch {
	case errors.Is(err, gonats.ErrNoServers):
		return "no server reachable (is nats-server running and the address right?)"
	case errors.Is(err, gonats.ErrAuthorization), strings.Contains(strings.ToLower(err.Error()), "authorization"):
		return "authorization refused (check --nats-creds or the user in the address)"
	}
	return err.Error()
}

// redact hides the password of an address for messages.
func redact(server string) string {
	u, err := url.Parse(server)
	if err != nil || u.User == nil {
		return server
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return u.String()
}

// Redact returns the address with its password hidden.
func Redact(server string) string { return redact(server) }

// FindStream returns the name of the stream that holds subject, or "" when
// none does.
func FindStream(ctx context.Context, js jetstream.JetStream, subject string) (string, error) {
	name, err := js.StreamNameBySubject(ctx, subject)
	if err != nil {
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return "", nil
		}
		return "", fmt.Errorf("looking up the stream of %s: %v", subject, Explain(js.Conn(), err))
	}
	return name, nil
}
