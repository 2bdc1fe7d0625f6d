// Package backends links bus transports and blob stores into the binary.
// Each one has a pair of files here: bus_kafka.go registers it unless the
// build has -tags lean or -tags no_kafka, and bus_kafka_off.go, built with
// those tags, does nothing. So the default build has them all, a lean build
// (embedded bus, local blob directory, SQLite and PostgreSQL stores) is one
// tag away, and bus.Backends and blob.Stores name the tag in the error a
// left-out scheme gives.
package backends

import "errors"

// Register makes every transport and store compiled into this binary
// available to bus.Open and blob.Open (and their URL validation). main
// calls it before loading the configuration; tests that open a broker or a
// cloud store in-process call it too. Calling it again is harmless.
func Register() error {
	return errors.Join(
		nats(),
		kafka(),
		amqp(),
		gcpPubSub(),
		awsSQS(),
		redisStreams(),
		postgresBus(),
		s3(),
		gcs(),
		azureBlob(),
	)
}
