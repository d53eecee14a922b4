// iostream output with manipulators, plus stringstream parsing.
#include <iostream>
#include <iomanip>
#include <sstream>
#include <string>
#include <limits>

int main() {
    std::cout << "hello from cout" << std::endl;
    std::cout << 42 << ' ' << -7 << ' ' << 3000000000LL << ' ' << 18446744073709551615ULL << '\n';
    std::cout << std::hex << 255 << ' ' << std::showbase << 255 << ' ' << std::uppercase << 255
              << std::nouppercase << std::noshowbase << std::dec << '\n';
    std::cout << std::oct << 64 << std::dec << ' ' << std::boolalpha << true << ' ' << false
              << std::noboolalpha << ' ' << true << '\n';
    std::cout << '[' << std::setw(8) << 123 << "] [" << std::left << std::setw(8) << 123 << "] ["
              << std::right << std::setfill('*') << std::setw(8) << 123 << std::setfill(' ') << "]\n";
    std::cout << '[' << std::internal << std::showpos << std::setw(8) << 42 << std::noshowpos << "]\n";
    double pi = 3.14159265358979323846;
    std::cout << pi << ' ' << std::setprecision(3) << pi << ' ' << std::setprecision(12) << pi << '\n';
    std::cout << std::fixed << std::setprecision(2) << pi << ' ' << 1e10 << ' ' << -0.005 << '\n';
    std::cout << std::scientific << std::setprecision(4) << pi << ' ' << 12345.678 << '\n';
    std::cout << std::hexfloat << pi << ' ' << 0.1f << '\n';
    std::cout << std::defaultfloat << std::setprecision(6) << pi << ' ' << 1e-5 << ' ' << 1e21 << ' ' << 0.5
              << '\n';
    std::cout << std::numeric_limits<double>::infinity() << ' ' << -std::numeric_limits<double>::infinity()
              << ' ' << std::numeric_limits<double>::max() << ' ' << std::numeric_limits<int>::min() << '\n';
    std::cout << std::string("std::string") << ' ' << "c-string" << ' ' << 'c' << '\n';

    std::stringstream ss;
    ss << "10 20.5 word 0x1f";
    int a; double b; std::string w; int h;
    ss >> a >> b >> w >> std::hex >> h;
    std::cout << "parsed " << a << ' ' << b << ' ' << w << ' ' << h << '\n';
    std::istringstream lines("line one\nline two\n\nline four");
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) std::cout << ++n << ": '" << line << "'\n";
    std::ostringstream os;
    os << std::setw(5) << std::setfill('0') << 42 << '/' << std::fixed << std::setprecision(1) << 2.25;
    std::cout << os.str() << '\n';
    std::cerr << "this goes to stderr" << std::endl;
    std::cout << "done" << std::endl;
    return 0;
}
