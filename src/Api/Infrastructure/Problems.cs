using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansTok.Api.Infrastructure;

/// <summary>RFC 7807 answers with a consistent title per status.</summary>
public static class Problems
{
    public static ValidationProblem Invalid(Validator validator) =>
        TypedResults.ValidationProblem(validator.Errors, title: "The request is invalid.");

    public static ValidationProblem Invalid(string field, string message)
    {
        var v = new Validator();
        v.Add(field, message);
        return Invalid(v);
    }

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict.");
}
