// SPDX-License-Identifier: Apache-2.0

package live

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/features"
)

// KernelFeatures says which of the kernel facilities the probes rely on the
// running kernel offers. A nil field means present; otherwise it holds why
// the facility was not found.
type KernelFeatures struct {
	BTF     error // type information of the kernel (/sys/kernel/btf/vmlinux)
	RingBuf error // BPF ring buffer maps
	TpBTF   error // BTF-typed tracepoint programs (tp_btf), tried on sys_enter
}

// ProbeKernel finds out which features the running kernel offers, by
// loading the kernel's BTF, creating a ring buffer and loading a
// two-instruction tp_btf program on sys_enter. It needs the privileges of
// live capture; without them the probes fail and say so.
func ProbeKernel() KernelFeatures {
	var f KernelFeatures
	_, f.BTF = btf.LoadKernelSpec()
	f.RingBuf = features.HaveMapType(ebpf.RingBuf)
	if f.BTF != nil {
		f.TpBTF = f.BTF
		return f
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.Tracing,
		AttachType:   ebpf.AttachTraceRawTp,
		AttachTo:     "sys_enter",
		License:      "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	})
	if err == nil {
		prog.Close()
	}
	f.TpBTF = err
	return f
}
