// SPDX-License-Identifier: Apache-2.0

package nats

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	capnats "github.com/ferret-observability/ferret/internal/capture/nats"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// writeCerts makes a CA and a server certificate for 127.0.0.1 signed by
// it, as PEM files in dir.
func writeCerts(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ferret test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(srvKey)
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("server.pem", "CERTIFICATE", srvDER), write("server.key", "EC PRIVATE KEY", keyDER)
}

// TestStreamTLS streams to a server that requires TLS, trusting its CA
// with the TLS option, and reads back; without the CA the error says the
// certificate is not trusted.
func TestStreamTLS(t *testing.T) {
	ca, cert, key := writeCerts(t, t.TempDir())
	srv := testutil.StartNATS(t, "--tls", "--tlscert", cert, "--tlskey", key)
	url := strings.Replace(srv.URL, "nats://", "tls://", 1)
	path := trace(t, "curl_google.scap")
	tg, _ := capnats.ParseURL(url + "/ferret.tls")
	conn := capnats.ConnOptions{TLSCA: ca}
	stream(t, Options{Target: tg, Conn: conn}, path, nil)
	same(t, readBack(t, url, "ferret.tls", capnats.ReadOptions{Conn: conn}), fileEvents(t, path))
	if _, err := Open(Options{Target: tg, Conn: capnats.ConnOptions{Timeout: time.Second}}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted server certificate: %v", err)
	}
}
