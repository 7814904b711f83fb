using CsCheck;
using Llm4Sbr.Core.Answers;
using Xunit;

namespace Llm4Sbr.Core.Tests.Answers;

public class AnswerCleanerTests
{
    [Theory]
    [InlineData("OPI Nail Lacquer", "OPI Nail Lacquer")]
    [InlineData("1. OPI Nail Lacquer_123", "OPI Nail Lacquer")]
    [InlineData("1) OPI Nail Lacquer", "OPI Nail Lacquer")]
    [InlineData("(2) OPI Nail Lacquer", "OPI Nail Lacquer")]
    [InlineData("\"OPI Nail Lacquer\"", "OPI Nail Lacquer")]
    [InlineData("\u201COPI Nail Lacquer\u201D.", "OPI Nail Lacquer")]
    [InlineData("**OPI Nail Lacquer**", "OPI Nail Lacquer")]
    [InlineData("- `OPI Nail Lacquer`", "OPI Nail Lacquer")]
    [InlineData("### OPI Nail Lacquer", "OPI Nail Lacquer")]
    [InlineData("[OPI Nail Lacquer](https://example.com/x)", "OPI Nail Lacquer")]
    [InlineData("The user is interested in OPI Nail Lacquer.", "OPI Nail Lacquer")]
    [InlineData("The user is most likely interested in: \"OPI Nail Lacquer_12\"", "OPI Nail Lacquer")]
    [InlineData("Answer: OPI Nail Lacquer", "OPI Nail Lacquer")]
    [InlineData("I would guess OPI Nail Lacquer", "OPI Nail Lacquer")]
    [InlineData("OPI Nail Lacquer - because the user clicked several nail polishes", "OPI Nail Lacquer")]
    [InlineData("OPI Nail Lacquer because the user likes nails", "OPI Nail Lacquer")]
    [InlineData("OPI Nail Lacquer. This item matches the recent clicks.", "OPI Nail Lacquer")]
    [InlineData("OPI Nail Lacquer (since the last three clicks were nail polish)", "OPI Nail Lacquer")]
    [InlineData("OPI Nail Lacquer\nThe user clicked on nail products.", "OPI Nail Lacquer")]
    [InlineData("Sure! Here is my guess:\n\n**OPI Nail Lacquer_1**", "OPI Nail Lacquer")]
    [InlineData("Based on the click sequence, the user is likely interested in:\n1. OPI Nail Lacquer_1\n2. Something else", "OPI Nail Lacquer")]
    [InlineData("<think>nail polish again...</think>\nOPI Nail Lacquer", "OPI Nail Lacquer")]
    [InlineData("```\nOPI Nail Lacquer\n```", "OPI Nail Lacquer")]
    [InlineData("OPI Nail Lacquer (ID: 77)", "OPI Nail Lacquer")]
    [InlineData("  OPI   Nail\tLacquer  ", "OPI Nail Lacquer")]
    [InlineData("Philips Sonicare - Replacement Heads", "Philips Sonicare - Replacement Heads")]
    [InlineData("3 Pack Nail Files", "3 Pack Nail Files")]
    [InlineData("2-in-1 Shampoo", "2-in-1 Shampoo")]
    [InlineData("1.7 oz Eau de Parfum", "1.7 oz Eau de Parfum")]
    [InlineData("Men's Shampoo (2)", "Men's Shampoo (2)")]
    public void Cleans_common_reply_shapes(string raw, string expected) =>
        Assert.Equal(expected, AnswerCleaner.Clean(raw));

    [Theory]
    [InlineData("", AnswerStatus.Empty)]
    [InlineData("   \n\n  ", AnswerStatus.Empty)]
    [InlineData("\"\"", AnswerStatus.Empty)]
    [InlineData("The user is interested in:", AnswerStatus.Empty)]
    [InlineData("<think>I cannot decide", AnswerStatus.Empty)]
    [InlineData("I'm sorry, but I can't determine that.", AnswerStatus.Unusable)]
    [InlineData("As an AI language model I cannot browse", AnswerStatus.Unusable)]
    [InlineData("Unknown", AnswerStatus.Unusable)]
    [InlineData("N/A", AnswerStatus.Unusable)]
    [InlineData("?!?", AnswerStatus.Unusable)]
    [InlineData("The order in which users click on items is as follows: 1. x", AnswerStatus.Unusable)]
    [InlineData("OPI Nail Lacquer", AnswerStatus.Ok)]
    public void Assesses_replies(string raw, AnswerStatus expected)
    {
        var assessed = AnswerCleaner.Assess(raw);
        Assert.Equal(expected, assessed.Status);
        Assert.Equal(expected == AnswerStatus.Ok, assessed.Issue is null);
    }

    [Fact]
    public void Far_too_long_text_is_unusable()
    {
        var words = string.Join(' ', Enumerable.Repeat("lovely", 60));
        var assessed = AnswerCleaner.Assess(words);
        Assert.Equal(AnswerStatus.Unusable, assessed.Status);
        Assert.Contains(AnswerCleaner.MaxUsableLength.ToString(), assessed.Issue);
    }

    // Text that looks like replies: words, decoration characters, newlines, numbers and keywords the rules react to.
    private static readonly Gen<string> ReplyLike =
        Gen.OneOf(
            Gen.String,
            Gen.Char["ab 1._-\"'*#\n:()`<>\u201C\u201D\t"].Array[0, 40].Select(cs => new string(cs)),
            Gen.OneOfConst("1. ", "**", "\"", "_12", " - because ", "\n", "The user is interested in ", "Answer: ", "Sure! ",
                    "<think>", "</think>", "```", " (since ", "Nail", "Polish", " ", ":", ".", "(ID: 3)", "Here is my guess:", "I'm sorry")
                .Array[0, 12].Select(parts => string.Concat(parts)));

    [Fact]
    public void Cleaning_is_idempotent() =>
        ReplyLike.CheckFixed(raw => AnswerCleaner.Clean(AnswerCleaner.Clean(raw)) == AnswerCleaner.Clean(raw), iter: 3000);

    [Fact]
    public void Cleaning_never_lengthens_and_leaves_one_trimmed_line() =>
        ReplyLike.CheckFixed(raw =>
        {
            var cleaned = AnswerCleaner.Clean(raw);
            Assert.True(cleaned.Length <= raw.Length, $"'{cleaned}' is longer than '{raw}'");
            Assert.DoesNotContain('\n', cleaned);
            Assert.Equal(cleaned.Trim(), cleaned);
            Assert.DoesNotContain("  ", cleaned);
        }, iter: 3000);

    private static readonly Gen<string> PlainTitle =
        Gen.Select(Gen.Char['A', 'Z'], Gen.Char['a', 'z'].Array[2, 8], (first, rest) => first + new string(rest))
            .Array[1, 6].Select(words => string.Join(' ', words))
            .Where(t => AnswerCleaner.Clean(t) == t && AnswerCleaner.Assess(t).Status == AnswerStatus.Ok);

    private sealed record Decor(string Shape, Func<string, string> Apply)
    {
        public override string ToString() => Shape;
    }

    private static Decor D(string shape) => new(shape, t => shape.Replace("§", t));

    // "§" marks where the title goes.
    private static readonly Gen<Decor> Decoration = Gen.OneOfConst(
        D("1. §"), D("\"§\""), D("**§**"), D("§_4711"), D("The user is interested in §."),
        D("§ - because the user clicked similar items"), D("Answer: §"), D("§\nIt fits the session."),
        D("Sure! Here is my guess:\n§"), D("  §  "), D("`§`"), D("§ (id 12)"));

    [Fact]
    public void Decorations_around_a_plain_title_are_all_removed() =>
        Gen.Select(PlainTitle, Decoration.Array[1, 4]).CheckFixed((title, decorations) =>
        {
            var raw = decorations.Aggregate(title, (text, decorate) => decorate.Apply(text));
            Assert.Equal(title, AnswerCleaner.Clean(raw));
        }, iter: 2000);
}
