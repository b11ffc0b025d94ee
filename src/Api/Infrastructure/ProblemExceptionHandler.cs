using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace OrleansTok.Api.Infrastructure;

/// <summary>
/// Turns malformed requests (unparseable JSON, wrong types, unknown fields, oversized bodies) into
/// 4xx problem details, and anything unexpected into a 500 problem that leaks no internals.
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (StatusCodes.Status413PayloadTooLarge, "The request body is too large.", "Send a smaller body or fewer events per request."),
            BadHttpRequestException { InnerException: JsonException json } =>
                (StatusCodes.Status400BadRequest, "The request body is not valid JSON for this endpoint.", Describe(json)),
            BadHttpRequestException bad => (bad.StatusCode, "The request is invalid.", bad.Message),
            _ => (StatusCodes.Status500InternalServerError, "An unexpected error occurred.", "The error was logged; retrying may succeed."),
        };
        if (status >= 500) LogUnhandled(exception);
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private static string Describe(JsonException json) =>
        json.Path is { Length: > 0 } path ? $"Invalid value at '{path}'." : "The body could not be parsed as JSON.";

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception while serving a request")]
    private partial void LogUnhandled(Exception exception);
}
