using Intake.Web.Submissions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Intake.Web.Survivor;

/// <summary>
/// A survivor page whose forms also work without JavaScript. Antiforgery is off on purpose (docs/decisions.md: there
/// is no cookie or other ambient authority to forge; her receipt is the authority and travels in the body), and POST
/// bodies are only ever read as streams by <see cref="NoScriptForm"/>: before model binding can run, ASP.NET's form
/// reader is replaced by one that refuses, because it would buffer any file over 64 KiB in a temporary file.
/// </summary>
[IgnoreAntiforgeryToken]
public abstract class NoScriptPageModel : PageModel
{
    /// <summary>The request body cap for this page's forms, in bytes.</summary>
    protected abstract long MaxRequestBytes { get; }

    /// <summary>The survivor's language, from the URL.</summary>
    public SurvivorLanguage Language => SurvivorLanguage.FromRoute(HttpContext);

    public override void OnPageHandlerSelected(PageHandlerSelectedContext context)
    {
        if (HttpMethods.IsPost(context.HttpContext.Request.Method))
        {
            context.HttpContext.Features.Set<IFormFeature>(new StreamedFormsOnly());
            if (context.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = MaxRequestBytes;
            }
        }
        base.OnPageHandlerSelected(context);
    }

    private sealed class StreamedFormsOnly : IFormFeature
    {
        public bool HasFormContentType => false;

        public IFormCollection? Form
        {
            get => null;
            set => throw Refused();
        }

        public IFormCollection ReadForm() => throw Refused();

        public Task<IFormCollection> ReadFormAsync(CancellationToken cancellationToken) => throw Refused();

        private static InvalidOperationException Refused() =>
            new("Survivor forms are read as streams by NoScriptForm; ASP.NET's form reader would buffer files on disk.");
    }
}
