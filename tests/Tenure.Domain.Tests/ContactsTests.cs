using Tenure.Domain.Accounts;

namespace Tenure.Domain.Tests;

public sealed class ContactsTests
{
    [Fact]
    public void R9_4_a_notice_goes_by_email_always_by_SMS_with_a_phone_and_to_the_webhook_when_there_is_one()
    {
        Assert.Equal([NoticeChannel.Email], new Contacts("a@example.com", null, null).NoticeChannels);
        Assert.Equal([NoticeChannel.Email], new Contacts("a@example.com", "", "").NoticeChannels);
        Assert.Equal([NoticeChannel.Email, NoticeChannel.Sms], new Contacts("a@example.com", "+8613800000000", null).NoticeChannels);
        Assert.Equal([NoticeChannel.Email, NoticeChannel.Webhook],
            new Contacts("a@example.com", null, "https://example.com/hook").NoticeChannels);
        Assert.Equal(
            [NoticeChannel.Email, NoticeChannel.Sms, NoticeChannel.Webhook],
            new Contacts("a@example.com", "+8613800000000", "https://example.com/hook").NoticeChannels);
    }
}
