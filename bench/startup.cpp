// Start-up cost: load a static glibc/libstdc++ program and run its main (iostream, one line).
#include <iostream>
#include <string>

int main() {
    std::string greeting = "started";
    std::cout << greeting << std::endl;
    return 0;
}
