/* rusage_run: run a command, report its wall time and peak RSS (for tests/bench/run.sh).
 * usage: rusage_run RESULT_FILE COMMAND [ARGS...]
 * The command's stdout goes to /dev/null; stderr is kept.  Writes "SECONDS MAXRSS_KIB EXIT CPU_SECONDS"
 * (CPU = user + system time of the command, which moves much less than wall time on a busy machine)
 * to RESULT_FILE and exits with the command's exit status (or 127 if it could not start). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    struct rusage ru;
    int status = 0, code;
    pid_t pid;
    FILE *out;

    if (argc < 3) {
        fprintf(stderr, "usage: rusage_run RESULT_FILE COMMAND [ARGS...]\n");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid = fork();
    if (pid < 0) {
        perror("rusage_run: fork");
        return 127;
    }
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) dup2(fd, 1);
        execvp(argv[2], argv + 2);
        perror("rusage_run: exec");
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("rusage_run: wait4");
        return 127;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 127;
    }
    fprintf(out, "%.3f %ld %d %.3f\n",
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            ru.ru_maxrss, code,
            (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    fclose(out);
    return code;
}
