using System.Collections.Immutable;

namespace Tenure.Domain.Accounts;

/// <summary>A way a notice reaches an account (R9.4).</summary>
public enum NoticeChannel
{
    Email,
    Sms,
    Webhook,
}

/// <summary>How an account can be reached: its e-mail address, and optionally a phone and a webhook.</summary>
public sealed record Contacts(string Email, string? Phone, string? WebhookUrl)
{
    /// <summary>R9.4: every notice goes by e-mail; by SMS too when the account has a phone, and to its webhook when it has one.</summary>
    public ImmutableArray<NoticeChannel> NoticeChannels
    {
        get
        {
            var channels = ImmutableArray.CreateBuilder<NoticeChannel>(3);
            channels.Add(NoticeChannel.Email);
            if (!string.IsNullOrEmpty(Phone)) channels.Add(NoticeChannel.Sms);
            if (!string.IsNullOrEmpty(WebhookUrl)) channels.Add(NoticeChannel.Webhook);
            return channels.ToImmutable();
        }
    }
}
