using System.Text;
using Reminders.Platform.Csv;

namespace Reminders.Enrollment.Tests;

/// <summary>The CSV helpers every roster import and export goes through.</summary>
public sealed class CsvTextTests
{
    [Fact]
    public void Decode_tells_the_encoding_and_drops_the_byte_order_mark()
    {
        const string text = "nombre\nJosé Peña";
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

        Assert.Equal((text, "utf-8"), CsvText.Decode(Encoding.UTF8.GetBytes(text)));
        Assert.Equal((text, "utf-8-bom"), CsvText.Decode([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)]));
        Assert.Equal((text, "utf-16le"), CsvText.Decode([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)]));
        Assert.Equal((text, "utf-16be"), CsvText.Decode([.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)]));
        Assert.Equal((text, "windows-1252"), CsvText.Decode(Encoding.GetEncoding(1252).GetBytes(text)));
        Assert.Equal(("", "utf-8"), CsvText.Decode([]));
    }

    [Theory]
    [InlineData("a,b,c\n1;2;3;4;5", ',')]
    [InlineData("a;b;c\n1,2,3,4,5", ';')]
    [InlineData("a\tb\tc\n1,2", '\t')]
    [InlineData("\"x;y;z\",b,c", ',')]
    [InlineData("\"x,y,z\";b;c", ';')]
    [InlineData("badge", ',')]
    [InlineData("", ',')]
    public void The_delimiter_is_the_one_used_most_in_the_header_outside_quotes(string text, char delimiter)
    {
        Assert.Equal(delimiter, CsvText.DetectDelimiter(text));
    }

    [Theory]
    [InlineData("Número_Empleado", "numeroempleado")]
    [InlineData(" TELÉFONO ", "telefono")]
    [InlineData("No. Empleado", "noempleado")]
    [InlineData("mando-medio", "mandomedio")]
    [InlineData("\uFEFFbadge", "badge")]
    [InlineData("Policía", "policia")]
    public void Headers_are_normalized_without_case_accents_or_spacing(string header, string normalized)
    {
        Assert.Equal(normalized, CsvText.NormalizeHeader(header));
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\",\"clic\")", "'=HYPERLINK(\"http://x\",\"clic\")")]
    [InlineData("+Ana", "'+Ana")]
    [InlineData("-Ana", "'-Ana")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tAna", "'\tAna")]
    [InlineData("\rAna", "'\rAna")]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+525512345678", "+525512345678")]
    [InlineData("+52 55 1234 5678", "+52 55 1234 5678")]
    [InlineData("-12.5", "-12.5")]
    [InlineData("+", "'+")]
    [InlineData("Ana =1", "Ana =1")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Formula_cells_are_prefixed_with_an_apostrophe_numbers_are_not(string? value, string expected)
    {
        Assert.Equal(expected, CsvText.Neutralize(value));
    }

    [Theory]
    [InlineData("'=HYPERLINK(\"http://x\")", "=HYPERLINK(\"http://x\")")]
    [InlineData("'+52 (55) 1234-5678", "+52 (55) 1234-5678")]
    [InlineData("'-Ana", "-Ana")]
    [InlineData("'@Ana", "@Ana")]
    [InlineData("'Ana", "'Ana")]
    [InlineData("'+525512345678", "'+525512345678")]
    [InlineData("'", "'")]
    [InlineData("=1+1", "=1+1")]
    [InlineData("", "")]
    public void What_neutralize_added_is_taken_off_again_and_nothing_else(string value, string expected)
    {
        Assert.Equal(expected, CsvText.Unneutralize(value));
    }

    [Fact]
    public void Fields_are_quoted_when_needed_and_lines_end_with_crlf()
    {
        Assert.Equal("plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"a;b\",'=1+1,\"'=A1,B1\"\r\n",
            CsvText.Line(["plain", "a,b", "say \"hi\"", "two\nlines", "a;b", "=1+1", "=A1,B1"]));
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("utf-8-bom")]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    [InlineData("windows-1252")]
    public void Encode_writes_back_the_encoding_decode_read(string encoding)
    {
        const string text = "placa;nombre\r\nB-001;José Peña Muñoz\r\n";

        var (bytes, used) = CsvText.Encode(text, encoding);

        Assert.Equal((text, encoding), CsvText.Decode(bytes));
        Assert.Equal(encoding, used);
    }

    [Fact]
    public void A_text_windows_1252_cannot_hold_is_encoded_as_utf8_with_a_bom_not_with_question_marks()
    {
        var (bytes, used) = CsvText.Encode("Łucja Kowalska", "windows-1252");

        Assert.Equal("utf-8-bom", used);
        Assert.Equal(("Łucja Kowalska", "utf-8-bom"), CsvText.Decode(bytes));
    }

    [Theory]
    [InlineData("Juan\nPérez", "Juan Pérez")]
    [InlineData("Juan\r\nPérez", "Juan Pérez")]
    [InlineData("Juan\rPérez", "Juan Pérez")]
    [InlineData("Juan \r\n\r\n  Pérez", "Juan Pérez")]
    [InlineData("Juan\tPérez", "Juan\tPérez")]
    [InlineData("Juan Pérez", "Juan Pérez")]
    public void A_cell_on_several_lines_is_one_line_with_a_space_for_each_break(string cell, string expected)
    {
        Assert.Equal(expected, CsvText.OneLine(cell));
    }

    [Fact]
    public void Lines_may_use_the_semicolon_or_the_tab_and_quote_the_cells_that_hold_either()
    {
        Assert.Equal("a;\"b;c\";\"d,e\"\r\n", CsvText.Line(["a", "b;c", "d,e"], ';'));
        Assert.Equal("a\t\"b\tc\"\t'=1\r\n", CsvText.Line(["a", "b\tc", "=1"], '\t'));
    }
}
