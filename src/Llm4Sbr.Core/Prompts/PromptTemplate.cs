namespace Llm4Sbr.Core.Prompts;

/// <summary>The prompt's text pieces. Lines are joined with '\n' and the prompt ends with the question
/// (no trailing newline), as in the paper's code. Placeholders: <c>{index}</c> (1-based), <c>{title}</c>
/// and <c>{id}</c> in <see cref="ItemLine"/>; <c>{qualifier}</c> in <see cref="Question"/>, replaced by
/// a space plus the view's qualifier, or by nothing for a view without one.</summary>
public sealed record PromptTemplate(string Header, string ItemLine, string Question)
{
    /// <summary>The paper's template (LLM4SBR code, <c>create_prompts</c>).</summary>
    public static readonly PromptTemplate Paper = new(
        "The order in which users click on items is as follows:",
        "{index}. {title}_{id}",
        "Please guess an item that the user is interested in{qualifier}. (Only output the item name without any explanation.)");
}

/// <summary>Prompt building options. Sessions longer than <see cref="MaxItems"/> are cut to their
/// last <see cref="MaxItems"/> clicks so prompts fit a 7B model's context comfortably
/// (20 Beauty titles are about 600-900 tokens).</summary>
public sealed record PromptOptions(int MaxItems, PromptTemplate Template)
{
    public const int DefaultMaxItems = 20;
    public static readonly PromptOptions Default = new(DefaultMaxItems, PromptTemplate.Paper);
}
