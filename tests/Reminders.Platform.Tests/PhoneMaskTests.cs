using Reminders.Platform.Logging;

namespace Reminders.Platform.Tests;

public sealed class PhoneMaskTests
{
    [Theory]
    [InlineData("+525512345678", "+52******5678")]
    [InlineData("+5215512345678", "+52*******5678")]
    [InlineData("5512345678", "******5678")]
    public void Mask_keeps_the_country_code_and_the_last_four_digits(string phone, string expected)
    {
        Assert.Equal(expected, PhoneMask.Mask(phone));
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("12345", "*****")]
    public void Mask_hides_short_or_empty_values_entirely(string? phone, string expected)
    {
        Assert.Equal(expected, PhoneMask.Mask(phone));
    }

    [Theory]
    [InlineData("Sending to +52 55 1234 5678 now", "Sending to +52 ** **** 5678 now")]
    [InlineData("Sending to +525512345678.", "Sending to +52******5678.")]
    [InlineData("phone=5512345678;", "phone=******5678;")]
    [InlineData("Llamar al (55) 1234-5678 hoy", "Llamar al (**) ****-5678 hoy")]
    [InlineData("Llamar al 55-1234-5678 hoy", "Llamar al **-****-5678 hoy")]
    [InlineData("On 2025-03-14 to 2012-11-2234", "On 2025-03-14 to ****-**-2234")]
    [InlineData("id 3f2504e0-4f89-11d3-9a0c-030582343301 to 5512345678", "id 3f2504e0-4f89-11d3-9a0c-030582343301 to ******5678")]
    [InlineData("To: +5215512345678, then 5587654321", "To: +52*******5678, then ******4321")]
    public void MaskAll_masks_phone_like_runs_in_free_text(string text, string expected)
    {
        Assert.Equal(expected, PhoneMask.MaskAll(text));
    }

    [Theory]
    [InlineData("SmsId 0190b6c5-3f7a-7c1e-9a0c-3b2f1e4d5c6a refused")]
    [InlineData("Message 4b1e0000-1c2d-0015-0aa1-08dc7e5f7b3c relayed")]
    [InlineData("Due 2025-03-14T21:59:58.9876540Z in UTC")]
    [InlineData("Due 2025-03-14T15:59:58-06:00 local")]
    [InlineData("Relayed 500 of 1200 rows in 37 ms (attempt 3)")]
    [InlineData("Segments 2, error 21211, port 5672")]
    public void MaskAll_leaves_guids_iso_timestamps_and_short_numbers_alone(string text)
    {
        Assert.Equal(text, PhoneMask.MaskAll(text));
    }

    [Fact]
    public void MaskAll_leaves_every_guid_alone_even_when_a_group_is_all_digits()
    {
        var guids = new[] { "3f2504e0-4f89-11d3-9a0c-030582343301", "12345678-1234-1234-1234-123456789012", "0190b6c5-3f7a-7c1e-9a0c-552912345678" };
        foreach (var guid in guids)
            Assert.Equal($"id {guid} done", PhoneMask.MaskAll($"id {guid} done"));
    }

    [Theory]
    [InlineData("Due 2025-03-14 21:59:58 UTC")]
    [InlineData("created_at = 2025-03-14 21:59:58.987654+00")]
    public void MaskAll_leaves_space_separated_iso_timestamps_alone(string text)
    {
        Assert.Equal(text, PhoneMask.MaskAll(text));
    }
}
