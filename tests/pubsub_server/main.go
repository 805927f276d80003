// pubsub_server runs Google's in-memory Pub/Sub server (pstest) on a
// loopback port for dq's end-to-end tests. It prints the address it listens
// on as its first line, then serves until its standard input closes (the
// test that started it ended) or -timeout passes.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"cloud.google.com/go/pubsub/v2/pstest"
)

func main() {
	address := flag.String("address", "127.0.0.1:0", "host:port to listen on (loopback)")
	timeout := flag.Duration("timeout", 15*time.Minute, "stop after this long whatever happens")
	flag.Parse()

	server := pstest.NewServerWithAddress(*address)
	defer server.Close()
	fmt.Println(server.Addr)

	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(*timeout):
		fmt.Fprintln(os.Stderr, "pubsub_server: timeout, stopping")
	}
}
