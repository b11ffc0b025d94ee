using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace OrleansTok.Api.Infrastructure;

/// <summary>
/// Turns malformed requests (unparseable JSON, wrong types, unknown fields, oversized bodies) into
/// 4xx problem details; an unavailable database or silo into 503 with Retry-After (nothing was
/// acknowledged, the same request can be retried); anything else into a 500 that leaks no internals.
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
            _ when IsUnavailable(exception) => (StatusCodes.Status503ServiceUnavailable, "The service is briefly unavailable.",
                "Nothing was recorded. Retry the same request (same event ids) after the Retry-After delay."),
            _ => (StatusCodes.Status500InternalServerError, "An unexpected error occurred.", "The error was logged; retrying may succeed."),
        };
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
            LogUnavailable(exception.GetType().Name, exception.Message);
        }
        else if (status >= 500)
        {
            LogUnhandled(exception);
        }
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>The database, a silo or the cluster connection is down or timed out: transient by nature.</summary>
    internal static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OrleansTok.Model.ServiceUnavailableException or TimeoutException or Npgsql.NpgsqlException
                or SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException
                or Orleans.Runtime.Messaging.ConnectionFailedException)
            {
                return true;
            }
        }
        return false;
    }

    private static string Describe(JsonException json) =>
        json.Path is { Length: > 0 } path ? $"Invalid value at '{path}'." : "The body could not be parsed as JSON.";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answered 503: {ExceptionType}: {ExceptionMessage}")]
    private partial void LogUnavailable(string exceptionType, string exceptionMessage);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception while serving a request")]
    private partial void LogUnhandled(Exception exception);
}
