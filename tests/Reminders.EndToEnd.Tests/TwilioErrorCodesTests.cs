using Reminders.Messaging.Delivery;

namespace Reminders.EndToEnd.Tests;

/// <summary>What each provider answer proves about the SMS it answered, from Messaging's code table.</summary>
public sealed class TwilioErrorCodesTests
{
    [Theory]
    [InlineData(400, 21211, ProviderVerdict.Refused)]
    [InlineData(400, 21614, ProviderVerdict.Refused)]
    [InlineData(400, 21610, ProviderVerdict.Refused)]
    [InlineData(400, 21617, ProviderVerdict.Refused)]
    [InlineData(400, 21408, ProviderVerdict.NotTaken)]
    [InlineData(400, 21606, ProviderVerdict.NotTaken)]
    [InlineData(400, 21611, ProviderVerdict.NotTaken)]
    [InlineData(429, 20429, ProviderVerdict.NotTaken)]
    [InlineData(429, 0, ProviderVerdict.NotTaken)]
    [InlineData(401, 20003, ProviderVerdict.CredentialsRefused)]
    [InlineData(403, 20003, ProviderVerdict.CredentialsRefused)]
    [InlineData(403, 0, ProviderVerdict.CredentialsRefused)]
    [InlineData(400, 20003, ProviderVerdict.CredentialsRefused)]
    [InlineData(500, 20500, ProviderVerdict.InDoubt)]
    [InlineData(502, 0, ProviderVerdict.InDoubt)]
    [InlineData(503, 0, ProviderVerdict.InDoubt)]
    [InlineData(0, 0, ProviderVerdict.InDoubt)]
    [InlineData(400, 29999, ProviderVerdict.Refused)]
    public void An_answer_is_read_for_what_it_proves(int status, int code, ProviderVerdict expected)
    {
        Assert.Equal(expected, TwilioErrorCodes.Classify(status, code).Verdict);
    }

    [Theory]
    [InlineData(21211)]
    [InlineData(21614)]
    [InlineData(21610)]
    public void Wrong_numbers_and_opt_outs_are_about_the_officer_not_only_the_sms(int code)
    {
        Assert.True(TwilioErrorCodes.AboutTheNumber(code));
    }

    [Fact]
    public void A_region_not_enabled_is_the_account_set_up_not_the_officer()
    {
        Assert.False(TwilioErrorCodes.AboutTheNumber(21408));
        Assert.Contains("region", TwilioErrorCodes.Classify(400, 21408).Meaning);
    }
}
