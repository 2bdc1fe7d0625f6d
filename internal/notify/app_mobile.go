package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/messaging"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"google.golang.org/api/option"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Mobile push: device tokens registered by the apps, sent through Firebase
// Cloud Messaging (firebase-admin) or AWS SNS platform endpoints, chosen by
// notify.mobile_push.

// mobilePusher sends one notification to one device; gone reports a token
// the provider no longer knows (the device is dropped).
type mobilePusher interface {
	register(ctx context.Context, platform, token string) (endpointARN string, err error)
	push(ctx context.Context, d device, title, body string, data map[string]string) (gone bool, err error)
}

func newMobilePusher(ctx context.Context, cfg Config) (mobilePusher, error) {
	switch cfg.MobilePush {
	case "":
		return nil, nil
	case "fcm":
		opts := []option.ClientOption{}
		if cfg.FCMCredentialsFile != "" {
			opts = append(opts, option.WithCredentialsFile(cfg.FCMCredentialsFile)) //nolint:staticcheck // the operator's own file
		}
		if cfg.FCMEndpoint != "" {
			opts = append(opts, option.WithEndpoint(cfg.FCMEndpoint), option.WithoutAuthentication())
		}
		app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: cfg.FCMProjectID}, opts...)
		if err != nil {
			return nil, fmt.Errorf("notify fcm: %w", err)
		}
		client, err := app.Messaging(ctx)
		if err != nil {
			return nil, fmt.Errorf("notify fcm: %w", err)
		}
		return fcmPusher{client: client}, nil
	case "sns":
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.SNSRegion))
		if err != nil {
			return nil, fmt.Errorf("notify sns: %w", err)
		}
		client := sns.NewFromConfig(awsCfg, func(o *sns.Options) {
			if cfg.SNSEndpoint != "" {
				o.BaseEndpoint = aws.String(cfg.SNSEndpoint)
			}
		})
		return snsPusher{client: client, app: cfg.SNSPlatformApplicationARN}, nil
	}
	return nil, fmt.Errorf("notify.mobile_push: want fcm, sns or empty")
}

type fcmPusher struct{ client *messaging.Client }

func (fcmPusher) register(context.Context, string, string) (string, error) { return "", nil }

func (f fcmPusher) push(ctx context.Context, d device, title, body string, data map[string]string) (bool, error) {
	//nolint:staticcheck // devices register FCM registration tokens, which the v1 API still takes as "token"
	_, err := f.client.Send(ctx, &messaging.Message{Token: d.Token, Notification: &messaging.Notification{Title: title, Body: body}, Data: data})
	if messaging.IsUnregistered(err) {
		return true, nil
	}
	return false, err
}

type snsPusher struct {
	client *sns.Client
	app    string
}

func (s snsPusher) register(ctx context.Context, _ string, token string) (string, error) {
	out, err := s.client.CreatePlatformEndpoint(ctx, &sns.CreatePlatformEndpointInput{PlatformApplicationArn: aws.String(s.app), Token: aws.String(token)})
	if err != nil {
		return "", fmt.Errorf("sns: %w", err)
	}
	return aws.ToString(out.EndpointArn), nil
}

func (s snsPusher) push(ctx context.Context, d device, title, body string, data map[string]string) (bool, error) {
	gcm, _ := json.Marshal(map[string]any{"notification": map[string]string{"title": title, "body": body}, "data": data})
	apns, _ := json.Marshal(map[string]any{"aps": map[string]any{"alert": map[string]string{"title": title, "body": body}}, "data": data})
	msg, _ := json.Marshal(map[string]string{"default": title, "GCM": string(gcm), "APNS": string(apns)})
	_, err := s.client.Publish(ctx, &sns.PublishInput{TargetArn: aws.String(d.EndpointARN), Message: aws.String(string(msg)),
		MessageStructure: aws.String("json")})
	var disabled *snstypes.EndpointDisabledException
	if errors.As(err, &disabled) {
		return true, nil
	}
	return false, err
}

// registerDevice stores an app's device token (SNS: as a platform endpoint).
func (s *Service) registerDevice(ctx context.Context, userID, platform, token string) (device, error) {
	if s.mobile == nil {
		return device{}, errs.New(errs.Unavailable, "mobile push is not configured on this server (notify.mobile_push)")
	}
	var v errs.Validation
	if platform != "android" && platform != "ios" {
		v.Add("body.platform", "must be android or ios")
	}
	if len(token) < 8 || len(token) > 4096 || strings.ContainsAny(token, " \t\r\n") {
		v.Add("body.token", "must be the device's push token")
	}
	if err := v.Err(); err != nil {
		return device{}, err
	}
	arn, err := s.mobile.register(ctx, platform, token)
	if err != nil {
		return device{}, errs.New(errs.Unavailable, "the push provider refused the device: %s", err.Error())
	}
	return s.store.saveDevice(ctx, userID, platform, token, arn, s.now())
}

// sendMobile pushes a delivery to every device of its user.
func (s *Service) sendMobile(ctx context.Context, d delivery) (int, error) {
	list, err := s.store.devices(ctx, d.UserID)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	data := map[string]string{"id": d.NotificationID, "type": d.Type, "url": s.link(d.Subject)}
	sent := 0
	var failures []string
	for _, dev := range list {
		gone, err := s.mobile.push(ctx, dev, d.Title, d.Body, data)
		switch {
		case gone:
			if err := s.store.dropDevice(ctx, dev.ID); err != nil {
				return sent, err
			}
		case err != nil:
			failures = append(failures, err.Error())
		default:
			sent++
		}
	}
	if len(failures) > 0 && sent == 0 {
		return 0, fmt.Errorf("mobile push: %s", strings.Join(failures, "; "))
	}
	return sent, nil
}
