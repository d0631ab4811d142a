// SPDX-License-Identifier: Apache-2.0

package fields

import (
	"sort"
	"strconv"
	"strings"

	"github.com/ferret-observability/ferret/internal/container"
	"github.com/ferret-observability/ferret/internal/event"
	"github.com/ferret-observability/ferret/internal/state"
)

// containerOf returns the current thread's container: host is true for
// threads outside containers; ct is nil for them and for containers whose
// metadata is unknown. ok is false when the thread itself is unknown (no
// thread, or one made up for an event of a tid never described), where
// sysdig has no container id either.
func containerOf(c *Ctx) (id string, ct *state.Container, host, ok bool) {
	t := c.Thread()
	if t == nil {
		return "", nil, false, false
	}
	if t.ContainerID == "" {
		return "host", nil, true, true
	}
	return t.ContainerID, c.State.Container(t.ContainerID), false, true
}

// ctrStr is a string field of the container's metadata; host threads show
// host (when not "") and containers without metadata have no value.
func ctrStr(name, desc string, host string, f func(ct *state.Container) string) Field {
	return strField(name, "CHARBUF", desc, func(c *Ctx, b []byte) ([]byte, bool) {
		_, ct, isHost, ok := containerOf(c)
		if !ok {
			return b, false
		}
		if isHost {
			if host == "" {
				return b, false
			}
			return append(b, host...), true
		}
		if ct == nil {
			return b, false
		}
		s := f(ct)
		if s == "" {
			return b, false
		}
		return append(b, s...), true
	})
}

// ctrVal is a string field of a known container's metadata that has a
// value, possibly empty, for every container in the table; host threads
// and containers without metadata have none.
func ctrVal(name, desc string, f func(ct *state.Container) string) Field {
	return strField(name, "CHARBUF", desc, func(c *Ctx, b []byte) ([]byte, bool) {
		_, ct, isHost, ok := containerOf(c)
		if !ok || isHost || ct == nil {
			return b, false
		}
		return append(b, f(ct)...), true
	})
}

// containerType is container.type. As in sysdig 0.29.3, a container of a
// type sysdig has no name for (podman, systemd-nspawn) shows what this
// occurrence of the field showed last ("" at first): sysdig leaves the
// field's buffer as the previous event set it. Each occurrence of the
// field in a format, filter or chisel keeps its own last value, and only
// the events it is evaluated on change it.
func containerType() Field {
	return Field{Name: "container.type", Type: "CHARBUF", Kind: KindString, Flags: FlagStateful,
		Desc: "container runtime: docker, cri-o, containerd, lxc, libvirt-lxc, host; for runtimes sysdig 0.29.3 has no name for (podman, systemd-nspawn), the value this field showed last.",
		New: func(string, string) (Extractor, error) {
			last := ""
			return exFunc(func(c *Ctx, v *Value) bool {
				_, ct, isHost, ok := containerOf(c)
				switch {
				case !ok:
					return false
				case isHost:
					last = "host"
				case ct == nil:
					return false
				case container.Named(ct.Type):
					last = ct.Type
				}
				return setStr(v, last)
			}), nil
		}}
}

// sandboxOf returns the labels of the pod sandbox of the current thread's
// container, as sysdig 0.29.3 finds a pod's labels without an API server:
// through the container's io.kubernetes.sandbox.id label (the kubelet's
// docker containers carry it) to that sandbox container's labels.
func sandboxOf(c *Ctx) map[string]string {
	_, ct, isHost, ok := containerOf(c)
	if !ok || isHost || ct == nil {
		return nil
	}
	id := ct.Labels["io.kubernetes.sandbox.id"]
	if id == "" {
		return nil
	}
	if len(id) > 12 {
		id = id[:12]
	}
	if sb := c.State.Container(id); sb != nil {
		return sb.Labels
	}
	return nil
}

func podLabel() Field {
	return withNew("k8s.pod.label", "CHARBUF", "one label of the pod, e.g. k8s.pod.label.app (the labels of the pod's sandbox container).", FlagArgKey|FlagArgRequired,
		func(_, arg string) (Extractor, error) {
			return exFunc(func(c *Ctx, v *Value) bool {
				l, ok := sandboxOf(c)[arg]
				return ok && setStr(v, l)
			}), nil
		})
}

func podLabels() Field {
	return withNew("k8s.pod.labels", "CHARBUF", "the pod's labels as key:value pairs in key order, comma separated (the labels of the pod's sandbox container but annotation.* and io.kubernetes.* ones).", 0,
		func(string, string) (Extractor, error) {
			sb := &strBuf{}
			return exFunc(func(c *Ctx, v *Value) bool {
				l := sandboxOf(c)
				if len(l) == 0 {
					return false
				}
				keys := make([]string, 0, len(l))
				for k := range l {
					if !strings.HasPrefix(k, "annotation.") && !strings.HasPrefix(k, "io.kubernetes.") {
						keys = append(keys, k)
					}
				}
				sort.Strings(keys)
				sb.b = sb.b[:0]
				for i, k := range keys {
					if i > 0 {
						sb.b = append(sb.b, ", "...)
					}
					sb.b = append(sb.b, k...)
					if l[k] != "" {
						sb.b = append(sb.b, ':')
						sb.b = append(sb.b, l[k]...)
					}
				}
				return setStr(v, sb.str())
			}), nil
		})
}

// probe is a container's health probe as sysdig shows it.
func probe(ct *state.Container) string {
	if ct.Healthcheck == "" {
		return "NONE"
	}
	return ct.Healthcheck
}

// k8sStr is a Kubernetes field read from the container's CRI labels.
func k8sStr(name, desc string, f func(ct *state.Container) string) Field {
	return ctrStr(name, desc, "", f)
}

func joinMounts(ms []container.Mount) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, ",")
}

func init() {
	Register(&Class{Name: "container", Order: 60, Desc: "Container of the process. Processes outside containers report 'host' as id and name.",
		Fields: []Field{
			strField("container.id", "CHARBUF", "container id (12 hex digits), or 'host'.", func(c *Ctx, b []byte) ([]byte, bool) {
				id, _, _, ok := containerOf(c)
				return append(b, id...), ok
			}),
			ctrStr("container.name", "container name, or 'host'.", "host", func(ct *state.Container) string { return ct.Name }),
			ctrStr("container.image", "image the container runs (e.g. nginx:latest).", "", func(ct *state.Container) string { return ct.Image }),
			ctrStr("container.image.id", "id of the container image.", "", func(ct *state.Container) string { return ct.ImageID }),
			containerType(),
			simple("container.privileged", "BOOL", "true for privileged containers.", func(c *Ctx, v *Value) bool {
				// Like sysdig, only docker-compatible engines say.
				_, ct, _, ok := containerOf(c)
				if !ok || ct == nil || !container.DockerCompatible(ct.Type) {
					return false
				}
				return setBool(v, ct.Privileged)
			}),
			ctrVal("container.mounts", "the container's mounts as source:dest:mode:rdwr:propagation entries separated by commas (empty when it has none).", func(ct *state.Container) string { return joinMounts(ct.Mounts) }),
			mountField("container.mount", "one mount, selected by index or source path (container.mount[0], container.mount[/usr/local/*]).", func(m container.Mount) string { return m.String() }),
			mountField("container.mount.source", "source of the mount selected by index or destination path.", func(m container.Mount) string { return m.Source }),
			mountField("container.mount.dest", "destination of the selected mount.", func(m container.Mount) string { return m.Dest }),
			mountField("container.mount.mode", "mode of the selected mount.", func(m container.Mount) string { return m.Mode }),
			mountField("container.mount.rdwr", "read/write flag of the selected mount (true/false).", func(m container.Mount) string { return strconv.FormatBool(m.RW) }),
			mountField("container.mount.propagation", "propagation of the selected mount.", func(m container.Mount) string { return m.Propagation }),
			ctrStr("container.image.repository", "repository of the container image.", "", func(ct *state.Container) string { return ct.ImageRepo }),
			ctrStr("container.image.tag", "tag of the container image.", "", func(ct *state.Container) string { return ct.ImageTag }),
			ctrStr("container.image.digest", "registry digest of the container image.", "", func(ct *state.Container) string { return ct.ImageDigest }),
			// The probes of the metadata are the container's health check
			// for all three fields, as sysdig 0.29.3 shows them.
			ctrVal("container.healthcheck", "health check command of the container, NONE if it has none.", probe),
			ctrVal("container.liveness_probe", "liveness probe command of the container, NONE if it has none.", probe),
			ctrVal("container.readiness_probe", "readiness probe command of the container, NONE if it has none.", probe),
		}})
	Register(&Class{Name: "syslog", Order: 80, Desc: "Decoded messages written to syslog (/dev/log).",
		Fields: []Field{
			syslogField("syslog.facility.str", "CHARBUF", "facility of the message as a name (local0, authpriv, ...).", 0),
			syslogField("syslog.facility", "UINT32", "facility of the message as a number.", 1),
			syslogField("syslog.severity.str", "CHARBUF", "severity of the message as a name (emerg, alert, crit, err, warn, notice, info, debug).", 2),
			syslogField("syslog.severity", "UINT32", "severity of the message as a number (0 = emerg ... 7 = debug).", 3),
			syslogField("syslog.message", "CHARBUF", "text of the message.", 4),
		}})
	Register(&Class{Name: "fdlist", Order: 90, Desc: "Fields of the fd lists of poll-like events.",
		Fields: []Field{
			fdlistField("fdlist.nums", "the fd numbers of the 'fds' argument, comma separated.", 0),
			fdlistField("fdlist.names", "the fd names of the 'fds' argument, comma separated.", 1),
			fdlistField("fdlist.cips", "the client addresses of the 'fds' argument, comma separated.", 2),
			fdlistField("fdlist.sips", "the server addresses of the 'fds' argument, comma separated.", 3),
			fdlistField("fdlist.cports", "the client ports of the 'fds' argument, comma separated.", 4),
			fdlistField("fdlist.sports", "the server ports of the 'fds' argument, comma separated.", 5),
		}})
	k8s := &Class{Name: "k8s", Order: 100, Desc: "Kubernetes metadata, from the container's labels (the kubelet's CRI labels; no API server is asked): pod name, id and namespace, and the pod's labels through a docker container's sandbox; other objects have no value."}
	for _, o := range []string{"pod", "rc", "svc", "ns", "rs", "deployment"} {
		name := none("k8s."+o+".name", "CHARBUF", "Kubernetes "+o+" name.")
		id := none("k8s."+o+".id", "CHARBUF", "Kubernetes "+o+" id.")
		label := Field{Name: "k8s." + o + ".label", Type: "CHARBUF", Desc: "one Kubernetes " + o + " label, e.g. k8s." + o + ".label.foo.", Flags: FlagNoValue | FlagArgKey | FlagArgRequired}
		labels := none("k8s."+o+".labels", "CHARBUF", "Kubernetes "+o+" labels, comma separated.")
		switch o {
		case "pod":
			name = k8sStr("k8s.pod.name", "Kubernetes pod name.", (*state.Container).PodName)
			id = k8sStr("k8s.pod.id", "Kubernetes pod id (uid).", (*state.Container).PodUID)
			label = podLabel()
			labels = podLabels()
		case "ns":
			name = k8sStr("k8s.ns.name", "Kubernetes namespace name.", (*state.Container).PodNamespace)
		}
		k8s.Fields = append(k8s.Fields, name, id, label, labels)
	}
	Register(k8s)
	Register(&Class{Name: "mesos", Order: 110, Desc: "Mesos metadata (not collected by ferret: these fields have no value).",
		Fields: []Field{
			none("mesos.task.name", "CHARBUF", "Mesos task name."),
			none("mesos.task.id", "CHARBUF", "Mesos task id."),
			{Name: "mesos.task.label", Type: "CHARBUF", Desc: "one Mesos task label, e.g. mesos.task.label.foo.", Flags: FlagNoValue | FlagArgKey | FlagArgRequired},
			none("mesos.task.labels", "CHARBUF", "Mesos task labels, comma separated."),
			none("mesos.framework.name", "CHARBUF", "Mesos framework name."),
			none("mesos.framework.id", "CHARBUF", "Mesos framework id."),
			none("marathon.app.name", "CHARBUF", "Marathon application name."),
			none("marathon.app.id", "CHARBUF", "Marathon application id."),
			{Name: "marathon.app.label", Type: "CHARBUF", Desc: "one Marathon application label.", Flags: FlagNoValue | FlagArgKey | FlagArgRequired},
			none("marathon.app.labels", "CHARBUF", "Marathon application labels, comma separated."),
			none("marathon.group.name", "CHARBUF", "Marathon group name."),
			none("marathon.group.id", "CHARBUF", "Marathon group id."),
		}})
	Register(&Class{Name: "span", Order: 120, Desc: "Tracer spans (not produced by ferret: these fields have no value).",
		Fields: []Field{
			none("span.id", "INT64", "id of the span."),
			none("span.time", "CHARBUF", "time of the span's enter tracer."),
			none("span.ntags", "UINT32", "number of tags of the span."),
			none("span.nargs", "UINT32", "number of arguments of the span."),
			none("span.tags", "CHARBUF", "tags of the span, dot separated."),
			{Name: "span.tag", Type: "CHARBUF", Desc: "one tag of the span, by position (span.tag[0], span.tag[-1]).", Flags: FlagNoValue | FlagArgIndex | FlagArgRequired},
			none("span.args", "CHARBUF", "arguments of the span, comma separated."),
			{Name: "span.arg", Type: "CHARBUF", Desc: "one argument of the span, by name or position.", Flags: FlagNoValue | FlagArgIndex | FlagArgKey | FlagArgRequired},
			none("span.enterargs", "CHARBUF", "arguments of the span's enter tracer, comma separated."),
			{Name: "span.enterarg", Type: "CHARBUF", Desc: "one argument of the span's enter tracer.", Flags: FlagNoValue | FlagArgIndex | FlagArgKey | FlagArgRequired},
			none("span.duration", "RELTIME", "duration of the span in nanoseconds."),
			none("span.duration.human", "CHARBUF", "duration of the span in a readable unit."),
			// sysdig's table-only span fields, which its -l does not list
			// but formats, filters and csysdig's span views take.
			hidden(none("span.duration.quantized", "UINT64", "10-base log of the span's duration, scaled to the screen.")),
			hidden(Field{Name: "span.duration.fortag", Type: "RELTIME", Desc: "duration of the spans with as many tags as the argument says.", Flags: FlagNoValue | FlagArgIndex | FlagArgKey | FlagArgRequired}),
			hidden(none("span.count", "UINT64", "1 for span exit events.")),
			hidden(Field{Name: "span.count.fortag", Type: "UINT64", Desc: "1 for exits of spans with as many tags as the argument says.", Flags: FlagNoValue | FlagArgIndex | FlagArgKey | FlagArgRequired}),
			hidden(Field{Name: "span.childcount.fortag", Type: "UINT64", Desc: "1 for exits of spans with more tags than the argument says.", Flags: FlagNoValue | FlagArgIndex | FlagArgKey | FlagArgRequired}),
			hidden(Field{Name: "span.idtag", Type: "CHARBUF", Desc: "id used by the span list view.", Flags: FlagNoValue | FlagArgIndex | FlagArgRequired}),
			hidden(none("span.rawtime", "CHARBUF", "time of the span's enter tracer, in ns.")),
			hidden(none("span.rawparenttime", "CHARBUF", "time of the parent span's enter tracer, in ns.")),
		}})
	evtin := &Class{Name: "evtin", Order: 130, Desc: "Events that happen inside tracer spans (not produced by ferret: these fields have no value)."}
	for _, scope := range []struct{ p, d string }{{"", "this thread"}, {"p.", "this thread and its parents"}, {"s.", "the tracer's script"}, {"m.", "the whole machine"}} {
		pre := "evtin.span." + scope.p
		evtin.Fields = append(evtin.Fields,
			none(pre+"id", "INT64", "events inside spans with this id ("+scope.d+")."),
			none(pre+"ntags", "UINT32", "events inside spans with this number of tags ("+scope.d+")."),
			none(pre+"nargs", "UINT32", "events inside spans with this number of arguments ("+scope.d+")."),
			none(pre+"tags", "CHARBUF", "events inside spans with these tags ("+scope.d+")."),
			Field{Name: pre + "tag", Type: "CHARBUF", Desc: "events inside spans with this tag (" + scope.d + ").", Flags: FlagNoValue | FlagArgIndex | FlagArgRequired},
			none(pre+"args", "CHARBUF", "events inside spans with these arguments ("+scope.d+")."),
			Field{Name: pre + "arg", Type: "CHARBUF", Desc: "events inside spans with this argument (" + scope.d + ").", Flags: FlagNoValue | FlagArgIndex | FlagArgKey | FlagArgRequired},
		)
	}
	Register(evtin)
}

// mountField selects one mount by index or by path and shows part of it.
// As in sysdig 0.29.3, container.mount.source[P] selects by destination and
// every other mount field by source; a trailing '*' matches any rest.
func mountField(name, desc string, part func(container.Mount) string) Field {
	bySource := name != "container.mount.source"
	return withNew(name, "CHARBUF", desc, FlagArgKey|FlagArgIndex|FlagArgRequired, func(_, arg string) (Extractor, error) {
		sb := &strBuf{}
		idx, err := strconv.Atoi(arg)
		byIndex := err == nil
		return exFunc(func(c *Ctx, v *Value) bool {
			_, ct, _, ok := containerOf(c)
			if !ok || ct == nil {
				return false
			}
			for i, m := range ct.Mounts {
				key := m.Dest
				if bySource {
					key = m.Source
				}
				if byIndex && i != idx || !byIndex && !globMatch(arg, key) {
					continue
				}
				sb.b = append(sb.b[:0], part(m)...)
				return setStr(v, sb.str())
			}
			return false
		}), nil
	})
}

// globMatch supports a trailing '*' wildcard.
func globMatch(pat, s string) bool {
	if strings.HasSuffix(pat, "*") {
		return strings.HasPrefix(s, pat[:len(pat)-1])
	}
	return pat == s
}

var facilityNames = [...]string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "clock", "authpriv", "ftp", "ntp", "logaudit", "logalert", "cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}
var severityNames = [...]string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}

// syslogMsg decodes "<PRI>message" written to /dev/log by the current event.
func syslogMsg(c *Ctx) (pri int, msg []byte, ok bool) {
	if !c.isSyslog() || c.Ev.Type.IsEnter() {
		return 0, nil, false
	}
	i := c.Ev.ParamIndex("data")
	if i < 0 {
		return 0, nil, false
	}
	d := c.Ev.Param(i)
	if len(d) < 3 || d[0] != '<' {
		return 0, nil, false
	}
	j := 1
	for j < len(d) && j < 5 && d[j] >= '0' && d[j] <= '9' {
		pri = pri*10 + int(d[j]-'0')
		j++
	}
	if j >= len(d) || d[j] != '>' || j == 1 {
		return 0, nil, false
	}
	return pri, d[j+1:], true
}

func syslogField(name, typ, desc string, what int) Field {
	return Field{Name: name, Type: typ, Kind: kindOf(typ), Desc: desc, New: func(string, string) (Extractor, error) {
		sb := &strBuf{}
		return exFunc(func(c *Ctx, v *Value) bool {
			pri, msg, ok := syslogMsg(c)
			if !ok {
				return false
			}
			fac, sev := pri>>3, pri&7
			switch what {
			case 0:
				if fac >= len(facilityNames) {
					return false
				}
				return setStr(v, facilityNames[fac])
			case 1:
				return setUint(v, KindUint64, uint64(fac))
			case 2:
				return setStr(v, severityNames[sev])
			case 3:
				return setUint(v, KindUint64, uint64(sev))
			}
			sb.b = append(sb.b[:0], trimNul(msg)...)
			return setStr(v, sb.str())
		}), nil
	}}
}

func fdlistField(name, desc string, what int) Field {
	return strField(name, "CHARBUF", desc, func(c *Ctx, b []byte) ([]byte, bool) {
		ev := c.Ev
		i := ev.ParamIndex("fds")
		if i < 0 || !ev.HasParam(i) || ev.Info().Params[i].Type != event.PTFDList {
			return b, false
		}
		p := ev.Param(i)
		if len(p) < 2 {
			return b, false
		}
		n := int(le16(p))
		p = p[2:]
		t := c.Thread()
		first := true
		for k := 0; k < n && len(p) >= 10; k++ {
			fdn := sint(p[:8])
			p = p[10:]
			var fd *state.FD
			if t != nil {
				fd = t.FD(fdn)
			}
			start := len(b)
			if !first {
				b = append(b, ',')
			}
			switch what {
			case 0:
				b = strconv.AppendInt(b, fdn, 10)
			case 1:
				if fd == nil {
					b = b[:start]
					continue
				}
				b = append(b, fd.Name...)
			default:
				if fd == nil {
					b = b[:start]
					continue
				}
				s := sideClient
				if what == 3 || what == 5 {
					s = sideServer
				}
				ip, port, ok := endpoint(c, fd, s)
				if !ok {
					b = b[:start]
					continue
				}
				if what <= 3 {
					b = state.AppendIP(b, ip)
				} else {
					b = strconv.AppendUint(b, uint64(port), 10)
				}
			}
			first = false
		}
		return b, true
	})
}
