// SPDX-License-Identifier: Apache-2.0

package prom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ferret-observability/ferret/internal/netacct"
	"github.com/ferret-observability/ferret/internal/testutil"
)

// TestRealPrometheusScrape lets Debian's Prometheus scrape the endpoint and
// asks its query API for a ferret counter.
func TestRealPrometheusScrape(t *testing.T) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("prometheus missing (Debian package prometheus)")
		}
		t.Skip("prometheus missing (Debian package prometheus)")
	}
	c := NewNetCollector(netacct.ByProcIPPort)
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	srv, err := Listen("127.0.0.1:0", reg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c.Tick(&netacct.Tick{By: netacct.ByProcIPPort, Totals: []netacct.Row{{
		Key:      netacct.Key{Program: "curl", Addr: netip.MustParseAddr("fd00::7"), Port: 443, Proto: netacct.TCP},
		Counters: netacct.Counters{TxBytes: 123456, RxBytes: 1},
	}}, Latency: []netacct.Latency{testLatency("curl", "send", 3000, 42)}})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	web := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: ferret\n    static_configs:\n      - targets: ['%s']\n", srv.Addr())
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+web)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := testutil.Start(cmd); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}()
	query := func(expr string) string {
		resp, err := http.Get("http://" + web + "/api/v1/query?query=" + url.QueryEscape(expr))
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		var r struct {
			Data struct {
				Result []struct {
					Value [2]any
				}
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Data.Result) == 0 {
			return ""
		}
		return fmt.Sprint(r.Data.Result[0].Value[1])
	}
	q := "http://" + web + "/api/v1/query?query=" + url.QueryEscape(`ferret_net_sent_bytes_total{program="curl",peer="fd00::7",port="443",proto="tcp"}`)
	var last string
	for i := 0; i < 300; i++ {
		select {
		case <-done:
			t.Fatalf("prometheus exited:\n%s", out.Bytes())
		default:
		}
		time.Sleep(100 * time.Millisecond)
		resp, err := http.Get(q)
		if err != nil {
			continue
		}
		var r struct {
			Status string
			Data   struct {
				Result []struct {
					Value [2]any
				}
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if err != nil || len(r.Data.Result) == 0 {
			continue
		}
		last = fmt.Sprint(r.Data.Result[0].Value[1])
		if last == "123456" {
			// The latency histogram came with the same scrape: 42 calls
			// of 3 µs, all in the bucket [3 µs, 4 µs).
			if got := query(`ferret_net_call_duration_seconds_count{program="curl",op="send"}`); got != "42" {
				t.Errorf("latency count %q, want 42", got)
			}
			if got := query(`ferret_net_call_duration_seconds_bucket{program="curl",op="send",le="4e-06"}`); got != "42" {
				t.Errorf("calls up to 4 µs: %q, want 42", got)
			}
			if got := query(`ferret_net_call_duration_seconds_bucket{program="curl",op="send",le="3e-06"}`); got != "0" {
				t.Errorf("calls up to 3 µs: %q, want 0", got)
			}
			return
		}
	}
	t.Fatalf("prometheus never reported the counter (last value %q)", last)
}

// TestRealPrometheusNativeHistogram lets Prometheus scrape with native
// histograms enabled and queries the call-time histogram's count and sum
// from its native buckets.
func TestRealPrometheusNativeHistogram(t *testing.T) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("prometheus missing (Debian package prometheus)")
		}
		t.Skip("prometheus missing (Debian package prometheus)")
	}
	c := NewNetCollector(netacct.ByProc)
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	srv, err := Listen("127.0.0.1:0", reg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c.Tick(&netacct.Tick{By: netacct.ByProc, Latency: []netacct.Latency{testLatency("curl", "send", 3000, 42)}})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	web := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: ferret\n    static_configs:\n      - targets: ['%s']\n", srv.Addr())
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+web, "--enable-feature=native-histograms")
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := testutil.Start(cmd); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}()
	query := func(expr string) string {
		resp, err := http.Get("http://" + web + "/api/v1/query?query=" + url.QueryEscape(expr))
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		var r struct {
			Data struct {
				Result []struct {
					Value [2]any
				}
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Data.Result) == 0 {
			return ""
		}
		return fmt.Sprint(r.Data.Result[0].Value[1])
	}
	var last string
	for i := 0; i < 300; i++ {
		select {
		case <-done:
			t.Fatalf("prometheus exited:\n%s", out.Bytes())
		default:
		}
		time.Sleep(100 * time.Millisecond)
		if last = query(`histogram_count(ferret_net_call_duration_seconds{program="curl",op="send"})`); last == "42" {
			// 42 calls of 3 µs: index ceil(4·log2(3e-6)) = -73, bucket
			// (2^-18.5, 2^-18.25] s; the interpolated fraction at or
			// below its upper bound is all of them.
			if got := query(`histogram_fraction(0, 3.4e-6, ferret_net_call_duration_seconds{program="curl",op="send"})`); got != "1" {
				t.Errorf("fraction up to 3.4 µs: %q, want 1", got)
			}
			if got := query(`histogram_fraction(0, 2.5e-6, ferret_net_call_duration_seconds{program="curl",op="send"})`); got != "0" {
				t.Errorf("fraction up to 2.5 µs: %q, want 0", got)
			}
			return
		}
	}
	t.Fatalf("prometheus never reported the native histogram (last %q)\n%s", last, out.Bytes())
}
