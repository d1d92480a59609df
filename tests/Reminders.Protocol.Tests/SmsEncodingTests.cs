namespace Reminders.Protocol.Tests;

public sealed class SmsEncodingTests
{
    static string A(int n) => new('a', n);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(459, 3)]
    [InlineData(460, 4)]
    public void GSM7_holds_160_in_one_segment_and_153_per_segment_when_split(int length, int segments)
    {
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Gsm7, segments, length), SmsEncoding.Measure(A(length)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    public void UCS2_holds_70_in_one_segment_and_67_per_segment_when_split(int length, int segments)
    {
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Ucs2, segments, length), SmsEncoding.Measure(new string('á', length)));
    }

    [Fact]
    public void An_empty_text_is_no_segment()
    {
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Gsm7, 0, 0), SmsEncoding.Measure(""));
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
    public void An_extension_character_counts_two(char c)
    {
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Gsm7, 1, 160), SmsEncoding.Measure(A(158) + c));
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Gsm7, 2, 161), SmsEncoding.Measure(A(159) + c));
    }

    [Fact]
    public void An_extension_character_at_a_segment_boundary_moves_to_the_next_segment_whole()
    {
        // 152 + 2 would overflow the first 153-septet segment: the escape pair opens the second one, which then fills
        // up with 151 more, and the last "a" needs a third. Plain division would say 306 / 153 = 2.
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Gsm7, 3, 306), SmsEncoding.Measure(A(152) + "€" + A(152)));
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Gsm7, 2, 306), SmsEncoding.Measure(A(151) + "€" + A(153)));
    }

    [Fact]
    public void An_emoji_counts_two_and_is_never_split()
    {
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Ucs2, 1, 2), SmsEncoding.Measure("👮"));
        var text = new string('á', 66) + "👮" + new string('á', 66);
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Ucs2, 3, 134), SmsEncoding.Measure(text));
    }

    [Fact]
    public void SI_is_GSM7_but_SI_with_an_accent_is_UCS2()
    {
        Assert.Equal(SmsEncodingKind.Gsm7, SmsEncoding.Measure("SI").Encoding);
        Assert.Equal(SmsEncodingKind.Ucs2, SmsEncoding.Measure("SÍ").Encoding);
    }

    [Theory]
    [InlineData("é")]
    [InlineData("É")]
    [InlineData("ñ")]
    [InlineData("Ñ")]
    [InlineData("ü")]
    [InlineData("¿")]
    [InlineData("¡")]
    [InlineData("à")]
    [InlineData("\n")]
    public void Spanish_letters_in_the_GSM7_table_keep_GSM7(string letter)
    {
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Gsm7, 1, 1), SmsEncoding.Measure(letter));
    }

    [Theory]
    [InlineData("á")]
    [InlineData("í")]
    [InlineData("ó")]
    [InlineData("ú")]
    [InlineData("Á")]
    [InlineData("Ó")]
    [InlineData("ç")]
    [InlineData("’")]
    public void Letters_outside_the_GSM7_table_make_UCS2(string letter)
    {
        Assert.Equal(SmsEncodingKind.Ucs2, SmsEncoding.Measure(letter).Encoding);
    }

    [Fact]
    public void One_accent_doubles_a_ninety_character_reminder()
    {
        var plain = "Respeto: trate a cada persona con dignidad, aun en momentos de tension. Atte. SSC-CDMX 123";
        var accented = plain.Replace("tension", "tensión");

        Assert.Equal(new SmsMeasure(SmsEncodingKind.Gsm7, 1, 90), SmsEncoding.Measure(plain));
        Assert.Equal(new SmsMeasure(SmsEncodingKind.Ucs2, 2, 90), SmsEncoding.Measure(accented));
    }

    [Fact]
    public void The_basic_table_has_the_127_characters_besides_escape()
    {
        Assert.Equal(127, "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà".Distinct().Count());
        Assert.True(SmsEncoding.IsGsm7("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"));
    }

    [Fact]
    public void Folding_names_the_letters_to_blame_and_gives_the_GSM7_text()
    {
        var (offending, folded) = SmsEncoding.FoldToGsm7("Sí, la sesión “acabó”.");

        Assert.Equal(['í', 'ó', '“', '”'], offending);
        Assert.Equal("Si, la sesion \"acabo\".", folded);
        Assert.Null(SmsEncoding.FoldToGsm7("Gracias 👮").Folded);
    }
}
