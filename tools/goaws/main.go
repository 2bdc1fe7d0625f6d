// Command goaws runs the goaws SQS/SNS emulator (github.com/Admiral-Piett/goaws)
// bound to a loopback address. Upstream's main listens on 0.0.0.0; the bus
// tests need a private peer that nothing outside the machine can reach.
//
//	goaws -config goaws.yaml -listen 127.0.0.1:4100 [Environment]
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/Admiral-Piett/goaws/app/conf"
	"github.com/Admiral-Piett/goaws/app/gosqs"
	"github.com/Admiral-Piett/goaws/app/router"
	"github.com/sirupsen/logrus"
)

func main() {
	config := flag.String("config", "", "goaws YAML configuration file")
	listen := flag.String("listen", "127.0.0.1:4100", "address to listen on (the config's port is ignored)")
	level := flag.String("loglevel", "warning", "log level")
	flag.Parse()

	if l, err := logrus.ParseLevel(*level); err == nil {
		logrus.SetLevel(l)
	}
	env := "Local"
	if flag.NArg() > 0 {
		env = flag.Arg(0)
	}
	conf.LoadYamlConfig(*config, env)

	go gosqs.PeriodicTasks(time.Second, make(chan bool))
	srv := &http.Server{Addr: *listen, Handler: router.New(), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
