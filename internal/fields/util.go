// SPDX-License-Identifier: Apache-2.0

package fields

import "net"

func netIP(b []byte) net.IP { return net.IP(b) }
