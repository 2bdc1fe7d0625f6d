package notify

import (
	"bytes"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// sesMailer sends through Amazon SES v2 (SendEmail with the raw MIME
// message, so the List-Unsubscribe headers go out as built). Credentials
// come from the AWS SDK's default chain (environment, shared files,
// workload identity).
type sesMailer struct {
	client *sesv2.Client
	from   string
}

func newSESMailer(ctx context.Context, cfg Config) (*sesMailer, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.SESRegion))
	if err != nil {
		return nil, fmt.Errorf("notify.ses_region: %w", err)
	}
	client := sesv2.NewFromConfig(awsCfg, func(o *sesv2.Options) {
		if cfg.SESEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.SESEndpoint)
		}
	})
	return &sesMailer{client: client, from: cfg.MailFrom}, nil
}

func (s *sesMailer) Send(ctx context.Context, m Mail) error {
	msg, err := buildMsg(s.from, m)
	if err != nil {
		return err
	}
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return err
	}
	_, err = s.client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.from),
		Destination:      &sestypes.Destination{ToAddresses: []string{m.To}},
		Content:          &sestypes.EmailContent{Raw: &sestypes.RawMessage{Data: raw.Bytes()}},
	})
	if err != nil {
		return fmt.Errorf("ses: %w", err)
	}
	return nil
}
