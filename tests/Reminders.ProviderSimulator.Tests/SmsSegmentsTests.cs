using Reminders.ProviderSimulator.Segments;

namespace Reminders.ProviderSimulator.Tests;

public class SmsSegmentsTests
{
    private const string Emoji = "\U0001F44D"; // one code point, two UTF-16 units

    [Theory]
    [InlineData(1, 1)]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(459, 3)]
    [InlineData(460, 4)]
    public void Gsm7_body_fits_160_septets_in_one_segment_and_153_per_part_after(int length, int segments)
    {
        Assert.Equal(new SegmentCount(SmsEncoding.Gsm7, segments), SmsSegments.Count(new string('a', length)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    public void Ucs2_body_fits_70_units_in_one_segment_and_67_per_part_after(int length, int segments)
    {
        var body = "á" + new string('a', length - 1);
        Assert.Equal(new SegmentCount(SmsEncoding.Ucs2, segments), SmsSegments.Count(body));
    }

    [Fact]
    public void Accented_i_switches_the_whole_message_to_ucs2()
    {
        Assert.Equal(new SegmentCount(SmsEncoding.Gsm7, 1), SmsSegments.Count("SI"));
        Assert.Equal(new SegmentCount(SmsEncoding.Ucs2, 1), SmsSegments.Count("SÍ"));
    }

    [Fact]
    public void A_reminder_of_100_characters_doubles_in_cost_with_one_accented_vowel()
    {
        var plain = "Recuerde: capacitacion manana a las 9:00 en la Academia de Policia. Responda SI para confirmar, gracias";
        var accented = plain.Replace("capacitacion", "capacitación", StringComparison.Ordinal);
        Assert.Equal(new SegmentCount(SmsEncoding.Gsm7, 1), SmsSegments.Count(plain));
        Assert.Equal(new SegmentCount(SmsEncoding.Ucs2, 2), SmsSegments.Count(accented));
    }

    [Theory]
    [InlineData("é")]
    [InlineData("ñ")]
    [InlineData("Ñ")]
    [InlineData("ü")]
    [InlineData("¿")]
    [InlineData("¡")]
    [InlineData("É")]
    [InlineData("à")]
    [InlineData("\n")]
    [InlineData("@£$¥")]
    public void Spanish_characters_in_the_gsm7_default_alphabet_stay_gsm7(string text)
    {
        Assert.Equal(SmsEncoding.Gsm7, SmsSegments.Count("¿Asistira? " + text).Encoding);
    }

    [Theory]
    [InlineData("á")]
    [InlineData("í")]
    [InlineData("ó")]
    [InlineData("ú")]
    [InlineData("Á")]
    [InlineData("ç")]
    [InlineData("“")]
    [InlineData(Emoji)]
    public void Characters_outside_gsm7_switch_to_ucs2(string text)
    {
        Assert.Equal(SmsEncoding.Ucs2, SmsSegments.Count("Hola " + text).Encoding);
    }

    [Theory]
    [InlineData('^')]
    [InlineData('{')]
    [InlineData('}')]
    [InlineData('\\')]
    [InlineData('[')]
    [InlineData('~')]
    [InlineData(']')]
    [InlineData('|')]
    [InlineData('€')]
    public void Extension_characters_count_two_septets(char c)
    {
        Assert.Equal(2, SmsSegments.Septets(c));
        Assert.Equal(new SegmentCount(SmsEncoding.Gsm7, 1), SmsSegments.Count(new string('a', 158) + c));
        Assert.Equal(new SegmentCount(SmsEncoding.Gsm7, 2), SmsSegments.Count(new string('a', 159) + c));
    }

    [Fact]
    public void Extension_character_at_a_part_boundary_moves_whole_to_the_next_part()
    {
        // 306 septets would fit two parts of 153, but the escape pair cannot straddle them.
        var body = new string('a', 152) + "€" + new string('a', 152);
        Assert.Equal(new SegmentCount(SmsEncoding.Gsm7, 3), SmsSegments.Count(body));
        Assert.Equal(new SegmentCount(SmsEncoding.Gsm7, 2), SmsSegments.Count(new string('a', 151) + "€" + new string('a', 153)));
    }

    [Fact]
    public void Surrogate_pair_at_a_part_boundary_is_not_split()
    {
        // 134 units would fit two parts of 67, but the emoji cannot straddle them.
        var body = new string('a', 66) + Emoji + new string('a', 66);
        Assert.Equal(new SegmentCount(SmsEncoding.Ucs2, 3), SmsSegments.Count(body));
        Assert.Equal(new SegmentCount(SmsEncoding.Ucs2, 2), SmsSegments.Count(new string('a', 65) + Emoji + new string('a', 67)));
    }

    [Fact]
    public void Ucs2_counts_utf16_units_so_an_emoji_takes_two()
    {
        Assert.Equal(new SegmentCount(SmsEncoding.Ucs2, 1), SmsSegments.Count(new string('a', 68) + Emoji));
        Assert.Equal(new SegmentCount(SmsEncoding.Ucs2, 2), SmsSegments.Count(new string('a', 69) + Emoji));
    }

    [Fact]
    public void Empty_body_is_one_gsm7_segment()
    {
        Assert.Equal(new SegmentCount(SmsEncoding.Gsm7, 1), SmsSegments.Count(""));
    }
}
