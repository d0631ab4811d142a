// SPDX-License-Identifier: Apache-2.0

//go:build ignore

// record runs ./sample under ptrace, stops it at the entry of its write(2)
// and saves what ferret's probe copies there: the registers in DWARF
// order (sample.regs), the stack from the stack pointer up (sample.stack,
// at most 16 KiB) and /proc/PID/maps (sample.maps, the directory of
// sample written /TESTDATA). Run it from this directory: go run record.go
// (as root, or with ptrace allowed). sample.want holds strace -k's lines
// for the same call (paths relative to this directory). sample was built
// with clang -O2 -static -nostdlib -fomit-frame-pointer
// -fasynchronous-unwind-tables -Wl,--eh-frame-hdr -Wl,--build-id=none.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
)

func main() {
	runtime.LockOSThread()
	cmd := exec.Command("./sample")
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	pid := cmd.Process.Pid
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil) // stopped at its execve
	var r syscall.PtraceRegs
	for {
		if err := syscall.PtraceSyscall(pid, 0); err != nil {
			panic(err)
		}
		syscall.Wait4(pid, &ws, 0, nil)
		if ws.Exited() {
			panic("exited before write")
		}
		if err := syscall.PtraceGetRegs(pid, &r); err != nil {
			panic(err)
		}
		if r.Orig_rax == 1 {
			break
		}
	}
	regs := []uint64{r.Rax, r.Rdx, r.Rcx, r.Rbx, r.Rsi, r.Rdi, r.Rbp, r.Rsp,
		r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15, r.Rip}
	var rb []byte
	for _, v := range regs {
		rb = binary.LittleEndian.AppendUint64(rb, v)
	}
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		panic(err)
	}
	stack := make([]byte, 0, 16<<10)
	page := make([]byte, 4096)
	for addr := r.Rsp; len(stack) < cap(stack); {
		n := 4096 - int(addr&4095)
		k, err := mem.ReadAt(page[:n], int64(addr))
		stack = append(stack, page[:k]...)
		if err != nil || k < n {
			break
		}
		addr += uint64(n)
	}
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		panic(err)
	}
	dir, _ := os.Getwd()
	maps = bytes.ReplaceAll(maps, []byte(dir+"/"), []byte("/TESTDATA/"))
	for name, b := range map[string][]byte{"sample.regs": rb, "sample.stack": stack, "sample.maps": maps} {
		if err := os.WriteFile(name, b, 0o644); err != nil {
			panic(err)
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
}
