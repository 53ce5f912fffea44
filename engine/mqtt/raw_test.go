package mqtt_test

// A minimal MQTT 3.1.1 client over a raw TCP connection, for the tests that
// need many cheap connections (soak_test.go) or a client that misbehaves on
// purpose (one that never reads). paho is used where a complete client is
// wanted (identity_test.go).

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"
)

// mqttString is an MQTT length-prefixed string.
func mqttString(s string) []byte {
	b := make([]byte, 2, 2+len(s))
	binary.BigEndian.PutUint16(b, uint16(len(s)))
	return append(b, s...)
}

// remainingLength is the MQTT variable-length encoding of n.
func remainingLength(n int) []byte {
	var b []byte
	for {
		d := byte(n % 128)
		n /= 128
		if n > 0 {
			d |= 0x80
		}
		b = append(b, d)
		if n == 0 {
			return b
		}
	}
}

// packet is a fixed header byte followed by body.
func packet(header byte, body []byte) []byte {
	out := append([]byte{header}, remainingLength(len(body))...)
	return append(out, body...)
}

// connectPacket is an MQTT 3.1.1 CONNECT with user name and password, and
// a clean session or not.
func connectPacket(clientID, user, pass string, keepalive uint16, clean bool) []byte {
	flags := byte(0x80 | 0x40)
	if clean {
		flags |= 0x02
	}
	body := append(mqttString("MQTT"), 4, flags, byte(keepalive>>8), byte(keepalive))
	body = append(body, mqttString(clientID)...)
	body = append(body, mqttString(user)...)
	body = append(body, mqttString(pass)...)
	return packet(0x10, body)
}

// publishPacket is an MQTT 3.1.1 PUBLISH; id is used at QoS > 0.
func publishPacket(topic string, payload []byte, qos byte, id uint16) []byte {
	body := mqttString(topic)
	if qos > 0 {
		body = append(body, byte(id>>8), byte(id))
	}
	return packet(0x30|qos<<1, append(body, payload...))
}

var pingreq = []byte{0xC0, 0}

// rawConnect dials addr, sends a CONNECT and reads the CONNACK's return
// code (0 is accepted). The connection is returned open when accepted.
func rawConnect(addr, clientID, user, pass string, keepalive uint16, clean bool) (net.Conn, byte, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, 0, err
	}
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := c.Write(connectPacket(clientID, user, pass, keepalive, clean)); err != nil {
		c.Close()
		return nil, 0, err
	}
	var ack [4]byte
	if _, err := io.ReadFull(c, ack[:]); err != nil {
		c.Close()
		return nil, 0, fmt.Errorf("read CONNACK: %w", err)
	}
	if ack[0] != 0x20 || ack[1] != 2 {
		c.Close()
		return nil, 0, fmt.Errorf("not a CONNACK: % x", ack)
	}
	if ack[3] != 0 {
		c.Close()
		return nil, ack[3], nil
	}
	_ = c.SetDeadline(time.Time{})
	return c, 0, nil
}

// readPacket reads one packet: its fixed header byte and body.
func readPacket(r *bufio.Reader) (byte, []byte, error) {
	h, err := r.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	n, mul := 0, 1
	for i := 0; ; i++ {
		b, err := r.ReadByte()
		if err != nil {
			return 0, nil, err
		}
		n += int(b&0x7f) * mul
		mul *= 128
		if b&0x80 == 0 {
			break
		}
		if i == 3 {
			return 0, nil, fmt.Errorf("bad remaining length")
		}
	}
	body := make([]byte, n)
	_, err = io.ReadFull(r, body)
	return h, body, err
}
