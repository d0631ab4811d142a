// A static program without libc whose write(2) is three calls deep, for
// the unwinder's recorded sample (see record.go).
static long sys(long nr, long a, long b, long c)
{
	long r;
	asm volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

__attribute__((noinline)) long leaf(const char *s, long n)
{
	return sys(1, 1, (long)s, n);
}

__attribute__((noinline)) long middle(const char *s)
{
	volatile char buf[200];
	for (int i = 0; i < 200; i++)
		buf[i] = s[i % 3];
	return leaf(s, 3) + buf[7];
}

void _start(void)
{
	sys(60, middle("hi\n") == 0, 0, 0);
	for (;;)
		;
}
