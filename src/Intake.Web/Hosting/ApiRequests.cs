using Microsoft.AspNetCore.Http.HttpResults;

namespace Intake.Web.Hosting;

/// <summary>What every JSON endpoint needs: a body read with a hard limit, and RFC 7807 answers.</summary>
public static class ApiRequests
{
    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is longer (never buffered past the limit).</summary>
    public static async Task<byte[]?> ReadLimitedAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[Math.Min(limit + 1, 16 * 1024)];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>400 with an <c>errors</c> map naming the request member that is wrong.</summary>
    public static ProblemHttpResult Invalid(string field, string message, string title = "Invalid request") =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] }) { Title = title, Status = 400 });

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");
}
